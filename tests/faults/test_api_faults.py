"""respond.io failing, throttling and stalling while escalations run: every one finishes, commented once."""

from pathlib import Path

import pytest

from tests.faults.cases import CaseReport, Cases
from tests.faults.effects import assert_each_escalated_once
from tests.faults.stack import FaultStack, fault_stack
from tests.metrics.scrape import scrape, total
from tests.polling import until

pytestmark = [pytest.mark.integration, pytest.mark.faults]

ESCALATIONS = 20
WAIT_SECONDS = 5
BURST = 10
FAULTS = {"failure_rate": 0.1, "retry_after": 1, "stall_seconds": 2, "stall_rate": 0.1}
"""One call in ten answered 500, 429 bursts with ``Retry-After: 1``, one call in ten stalled 2 s. At one in five the
retries' tail ran past 3 minutes (a read failed 11 times running), longer than the rest of the fault suite."""
CALLS = "handoff_api_calls_total"
LANDS_WITHIN = 300
"""Seconds for every conversation's calls to land. Retries back off 1, 2, 4 ... s up to a minute apart, and a read or
a take makes two calls, so about one attempt in five fails: seven failures running take 123 s of backoff (a run's 60
activities meet that about once in 2,000 runs), ten take 303 s (about once in 300,000 runs)."""


async def api_answers(stack: FaultStack, status: str) -> int:
    """How many respond.io answers with ``status`` the worker counted (its Prometheus metrics)."""
    return int(total(await scrape(stack.config.worker_metrics_url), CALLS, status=status))


async def api_faults(folder: Path) -> CaseReport:
    contact_ids = range(1, ESCALATIONS + 1)
    async with fault_stack(folder, WAIT_SECONDS) as stack:
        await stack.set_faults(**FAULTS, throttle_burst=BURST, seed=1)
        await stack.open_conversations(contact_ids)

        async def all_assigned() -> bool:
            contacts = (await stack.sandbox.get("/sandbox/state")).json()["contacts"]
            return sum(1 for c in contacts if c["assignments"]) == ESCALATIONS

        await until(all_assigned, "every conversation assigned", LANDS_WITHIN)
        await stack.set_faults(**FAULTS, throttle_burst=BURST, seed=2)  # a second burst as the waits end
        await stack.all_finished(timeout=LANDS_WITHIN)
        answers = {status: await api_answers(stack, status) for status in ("200", "429", "500")}
        effects = await stack.effects(contact_ids)
    return CaseReport(
        f"API {FAULTS['failure_rate']:.0%} 500s, two bursts of {BURST} 429s (Retry-After 1), 10% of calls stalled 2 s",
        effects,
        {f"answers {status}": count for status, count in answers.items()},
    )


CASE = api_faults


async def test_a_failing_throttling_stalling_api_still_escalates_each_once(fault_cases: Cases):
    report = await fault_cases.report(api_faults)
    assert_each_escalated_once(report.effects, ESCALATIONS)
    assert report.facts["answers 500"] > 0, report.line()
    assert report.facts["answers 429"] >= 2 * BURST, report.line()
