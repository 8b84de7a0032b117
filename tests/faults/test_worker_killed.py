"""The worker killed with SIGKILL three times while 50 escalations wait, and restarted each time."""

from pathlib import Path

import pytest

from tests.faults.cases import CaseReport, Cases
from tests.faults.effects import assert_each_escalated_once
from tests.faults.stack import fault_stack

pytestmark = [pytest.mark.integration, pytest.mark.faults]

ESCALATIONS = 50
KILLS = 3
WAIT_SECONDS = 60
"""Long enough for the openings and the three kills and restarts to happen while every escalation waits: they take
about 30 s on 2 cores beside the other fault cases, and longer on a busy machine."""


async def worker_killed(folder: Path) -> CaseReport:
    contact_ids = range(1, ESCALATIONS + 1)
    async with fault_stack(folder, WAIT_SECONDS) as stack:
        await stack.open_conversations(contact_ids)
        await stack.all_waiting(ESCALATIONS)
        for kill in range(1, KILLS + 1):
            waiting = await stack.count("ExecutionStatus = 'Running' AND HandoffStatus = 'waiting'")
            assert waiting == ESCALATIONS, f"before kill {kill}, only {waiting} still wait: lengthen WAIT_SECONDS"
            await stack.kill("worker")
            await stack.restart("worker")
            await stack.all_answer(contact_ids)  # the new worker took every escalation over
        await stack.all_finished(timeout=WAIT_SECONDS + 120)
        effects = await stack.effects(contact_ids)
    return CaseReport(
        f"worker SIGKILL x{KILLS} while {ESCALATIONS} wait, restarted each time", effects, {"kills": KILLS}
    )


CASE = worker_killed


async def test_the_worker_killed_three_times_loses_and_repeats_nothing(fault_cases: Cases):
    report = await fault_cases.report(worker_killed)
    assert_each_escalated_once(report.effects, ESCALATIONS)
