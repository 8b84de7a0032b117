"""The Temporal dev server killed with SIGKILL while escalations wait, kept down until every timer is due,
then restarted on the same database: every timer fires, nothing is lost or repeated."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.faults.cases import CaseReport, Cases
from tests.faults.effects import assert_each_escalated_once
from tests.faults.stack import fault_stack
from tests.polling import until

pytestmark = [pytest.mark.integration, pytest.mark.faults]

ESCALATIONS = 20
WAIT_SECONDS = 15


async def server_killed(folder: Path) -> CaseReport:
    contact_ids = range(1, ESCALATIONS + 1)
    async with fault_stack(folder, WAIT_SECONDS) as stack:
        await stack.open_conversations(contact_ids)
        await stack.all_waiting(ESCALATIONS)
        deadlines = await stack.deadlines()
        assert len(deadlines) == ESCALATIONS
        await stack.kill("temporal")
        latest = max(deadlines) + timedelta(seconds=1)

        async def all_due() -> bool:
            return datetime.now(UTC) > latest

        await until(all_due, "every wait's deadline passed", WAIT_SECONDS + 60)
        await stack.restart("temporal")
        await stack.all_finished(timeout=120)
        assert not stack.child("worker").exited, "the worker died while the server was down"
        effects = await stack.effects(contact_ids)
    return CaseReport(
        f"dev server SIGKILL while {ESCALATIONS} wait, restarted on its database",
        effects,
        {"timers due while it was down": len(deadlines)},
    )


CASE = server_killed


async def test_every_timer_fires_after_the_server_restarts_on_its_database(fault_cases: Cases):
    report = await fault_cases.report(server_killed)
    assert_each_escalated_once(report.effects, ESCALATIONS)
