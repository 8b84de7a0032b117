"""Every ending has an outcome: respond.io refusing for good, a refused token, and a cancel from Temporal itself."""

import asyncio

from models.api_errors import UNAUTHORIZED
from tests.workflows.fake_inbox import AGENTS, FakeInbox
from tests.workflows.test_escalation import running, until_waiting
from workflows.escalation_types import Outcome

ALICE, CAROL, _ = AGENTS


async def test_a_permanent_refusal_ends_as_failed_with_the_reason(time_skipping_env, record_history):
    inbox = FakeInbox(refusal="RespondIONotFound")
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        result = await handle.result()
        await record_history(handle)

    assert result.outcome == Outcome.FAILED
    assert "respond.io says no (RespondIONotFound)" in result.detail
    assert inbox.assignments == [] and inbox.refused == 1  # not retried: retrying cannot mend it


async def test_a_refused_token_blocks_the_escalation_until_it_works_again(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.refusal = UNAUTHORIZED  # revoked during the wait: the check after it is refused
        finishing = asyncio.create_task(handle.result())  # lets the server skip the wait and the retry backoff
        await until_waiting(handle, "blocked")
        async with asyncio.timeout(30):
            while inbox.refused < 3:  # still retrying while blocked
                await asyncio.sleep(0.02)
        inbox.refusal = None  # the token works again
        result = await asyncio.wait_for(finishing, 30)
        await record_history(handle)

    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id] and len(inbox.comments) == 1


async def test_a_cancel_in_temporal_ends_with_outcome_cancelled(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        await handle.cancel()
        result = await handle.result()
        await record_history(handle)

    assert result.outcome == Outcome.CANCELLED and "Temporal" in result.detail
    assert inbox.assignments == [ALICE.id] and inbox.comments == []
