"""The API token revoked while 20 escalations wait, then restored: every escalation pauses as blocked, none
ends while it is, and all finish as if nothing had happened."""

from pathlib import Path

import pytest

from tests.faults.cases import CaseReport, Cases
from tests.faults.effects import assert_each_escalated_once
from tests.faults.stack import fault_stack
from tests.polling import until

pytestmark = [pytest.mark.integration, pytest.mark.faults]

ESCALATIONS = 20
WAIT_SECONDS = 15
"""Long enough for every opening to be waiting, and the token revoked, before the first wait ends (openings meet the
sandbox's rate limit and retry a second later)."""


async def token_revoked(folder: Path) -> CaseReport:
    contact_ids = range(1, ESCALATIONS + 1)
    async with fault_stack(folder, WAIT_SECONDS) as stack:
        await stack.open_conversations(contact_ids)
        await stack.all_waiting(ESCALATIONS)
        await stack.set_faults(revoked=True)

        async def all_blocked() -> int:
            ended = await stack.count("ExecutionStatus != 'Running'")
            assert ended == 0, (
                f"{ended} escalations ended while the token was revoked: {await stack.effects(contact_ids)}"
            )
            blocked = await stack.count("ExecutionStatus = 'Running' AND HandoffStatus = 'blocked'")
            return blocked if blocked == ESCALATIONS else 0

        blocked = await until(all_blocked, f"all {ESCALATIONS} escalations blocked", 120)
        await stack.set_faults()  # the token works again
        await stack.all_finished(timeout=180)
        effects = await stack.effects(contact_ids)
    return CaseReport(f"token revoked while {ESCALATIONS} wait, then restored", effects, {"seen blocked": blocked})


CASE = token_revoked


async def test_a_revoked_token_blocks_every_escalation_until_restored(fault_cases: Cases):
    report = await fault_cases.report(token_revoked)
    assert_each_escalated_once(report.effects, ESCALATIONS)
