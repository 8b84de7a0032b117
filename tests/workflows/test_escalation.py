"""The escalation workflow on the time-skipping server: every path of the article's flow."""

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from models.ids import escalation_workflow_id
from starter.escalations import start_escalation
from starter.policy_file import load_policy
from tests.workflows.fake_inbox import AGENTS, FakeInbox, FakeMessage
from worker.build import build_worker
from worker.settings import Settings
from workflows.escalation import Escalation
from workflows.escalation_types import AssigneeChanged, ConversationClosed, MessageSent, Outcome
from workflows.policy import Policy

POLICY = load_policy()
ALICE, CAROL, DAVE = AGENTS


@asynccontextmanager
async def running(env, inbox: FakeInbox, policy: Policy = POLICY):
    """A worker with the real workflow and the fake inbox's activities; yields a start function."""
    queue = f"test-{uuid.uuid4()}"
    inbox.contact_id = uuid.uuid4().int % 10**9

    async def start() -> WorkflowHandle:
        result = await start_escalation(
            env.client, queue, policy, inbox.contact_id, "opening-1", await env.get_current_time()
        )
        assert result.started and result.handle, result.detail
        return result.handle  # the handle from the start: its result() lets the server skip time

    async with build_worker(env.client, Settings(task_queue=queue), inbox.activities()):
        yield start


async def close_in_respondio(env, handle: WorkflowHandle, inbox: FakeInbox, at: datetime | None = None) -> None:
    """A person closes the conversation in respond.io; its ``conversation.closed`` webhook reaches the escalation."""
    inbox.status = "close"
    closed_at = at or await env.get_current_time()
    await handle.signal(Escalation.conversation_closed, ConversationClosed(closed_at=closed_at))


async def until_waiting(handle: WorkflowHandle, step: str = "wait") -> None:
    """Poll the state query (which does not skip time) until the workflow's step mentions ``step``."""
    try:
        async with asyncio.timeout(30):
            while step not in (await handle.query(Escalation.state)).step:
                await asyncio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"the workflow never reached a step with {step!r}") from None


async def test_no_reply_reassigns_to_someone_else_and_comments(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        began = time.monotonic()
        result = await handle.result()
        await record_history(handle)
        real_seconds = time.monotonic() - began
    print(f"15-minute escalation took {real_seconds:.2f} s of real time")
    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id]
    assert result.finished_at - result.opened_at >= timedelta(minutes=15)
    assert real_seconds < 10, "without time skipping this would take 900 s"
    assert inbox.comments == [f"No reply from Alice Ng in 15 min; reassigned to {{{{@user.{CAROL.id}}}}}."]
    assert [a.level for a in result.history] == [0, 1]
    assert result.history[1].candidates[0].agent == CAROL


async def test_reply_within_the_wait_ends_early_without_reassignment(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        now = await time_skipping_env.get_current_time()
        inbox.messages.append(FakeMessage("user", ALICE.id, now))
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=ALICE.id, sent_at=now))
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.REPLIED
    assert inbox.assignments == [ALICE.id]
    assert inbox.comments == []
    assert result.finished_at - result.opened_at < timedelta(minutes=15)


async def test_reply_without_webhook_is_found_when_the_timer_fires(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.messages.append(FakeMessage("user", ALICE.id, await time_skipping_env.get_current_time()))
        result = await handle.result()
    assert result.outcome == Outcome.REPLIED
    assert inbox.assignments == [ALICE.id]


async def test_bot_messages_do_not_count_as_a_reply(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        now = await time_skipping_env.get_current_time()
        for source in ("workflow", "ai_agent", "broadcast", "api"):
            inbox.messages.append(FakeMessage(source, None, now))
            await handle.signal(Escalation.message_sent, MessageSent(sender_source=source, sent_at=now))
        result = await handle.result()
    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id]


async def test_unconfirmed_reply_webhook_does_not_cut_the_wait_short(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        now = await time_skipping_env.get_current_time()
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=ALICE.id, sent_at=now))
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.ESCALATED
    assert result.history[1].assigned_at - result.opened_at >= timedelta(minutes=15)


async def test_closed_during_the_wait_ends_early_without_reassignment(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        await close_in_respondio(time_skipping_env, handle, inbox)
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.CLOSED
    assert inbox.assignments == [ALICE.id]
    assert result.finished_at - result.opened_at < timedelta(minutes=15)


async def test_human_reassignment_during_the_wait_is_left_alone(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.assignee = DAVE  # a person picked Dave in the inbox
        now = await time_skipping_env.get_current_time()
        await handle.signal(Escalation.assignee_changed, AssigneeChanged(assignee_id=DAVE.id, changed_at=now))
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.REASSIGNED_BY_HUMAN
    assert inbox.assignee == DAVE
    assert inbox.assignments == [ALICE.id]
    assert inbox.comments == []


async def test_human_reassignment_without_webhook_is_not_overwritten(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.assignee = DAVE
        result = await handle.result()
    assert result.outcome == Outcome.REASSIGNED_BY_HUMAN
    assert inbox.assignee == DAVE and inbox.assignments == [ALICE.id]


async def test_duplicate_start_runs_once(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        opened_at = await time_skipping_env.get_current_time()
        queue = (await handle.describe()).task_queue
        again = await start_escalation(
            time_skipping_env.client, queue, POLICY, inbox.contact_id, "opening-1", opened_at
        )
        assert not again.started
        await handle.result()
        late = await start_escalation(
            time_skipping_env.client, queue, POLICY, inbox.contact_id, "opening-1", opened_at - timedelta(seconds=1)
        )
        assert not late.started, late.detail
        same_key_later = await start_escalation(
            time_skipping_env.client, queue, POLICY, inbox.contact_id, "opening-1", opened_at + timedelta(hours=1)
        )
        assert not same_key_later.started, same_key_later.detail
        latest = await time_skipping_env.client.get_workflow_handle(escalation_workflow_id(inbox.contact_id)).describe()
    assert latest.run_id == handle.result_run_id
    assert inbox.assignments == [ALICE.id, CAROL.id]


async def test_escalate_now_skips_the_rest_of_the_wait(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        await handle.execute_update(Escalation.escalate_now, "customer is a VIP")
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.ESCALATED
    assert inbox.assignments == [ALICE.id, CAROL.id]
    assert result.finished_at - result.opened_at < timedelta(minutes=15)
    assert result.detail.endswith("; an operator ended the wait early: customer is a VIP"), result.detail
    [comment] = inbox.comments
    assert comment.startswith("No reply from Alice Ng in ")
    assert "(cut short by an operator: customer is a VIP); reassigned to" in comment


async def test_cancel_stops_without_further_action(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(Escalation.cancel, "  ")
        assert "reason must not be empty" in str(refused.value.cause)
        await handle.execute_update(Escalation.cancel, "handled by phone")
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.CANCELLED
    assert "handled by phone" in result.detail
    assert inbox.assignments == [ALICE.id] and inbox.comments == []


async def test_state_query_shows_step_assignee_and_deadline(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox) as start:
        handle = await start()
        await until_waiting(handle)
        state = await handle.query(Escalation.state)
        now = await time_skipping_env.get_current_time()
        await handle.execute_update(Escalation.cancel, "done looking")
    assert state.assignee == ALICE
    assert state.step == "steps.1: wait 15m"
    assert timedelta(minutes=14) < state.deadline - now <= timedelta(minutes=15)
    assert [a.agent for a in state.history] == [ALICE] and state.outcome is None


NOBODY_THERE = Policy.model_validate(
    {
        "name": "night-shift",
        "steps": [
            {"assign": {"user": "alice@example.com"}},
            {"wait": "1m"},
            {"assign": {"team": "Night shift", "timeout": {"after": "1h"}}},
            {"comment": "Reassigned to {assignee}."},
        ],
    }
)


async def test_closed_while_waiting_for_an_agent_ends_without_reassignment(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, NOBODY_THERE) as start:
        handle = await start()
        await time_skipping_env.sleep(timedelta(minutes=2))
        await until_waiting(handle, "nobody eligible")
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(Escalation.escalate_now, "hurry")
        assert "no wait is running" in str(refused.value.cause)
        await close_in_respondio(time_skipping_env, handle, inbox)
        result = await handle.result()
        await record_history(handle)
    assert result.outcome == Outcome.CLOSED
    assert inbox.assignments == [ALICE.id] and inbox.comments == []
    assert result.finished_at - result.opened_at < timedelta(minutes=30)
