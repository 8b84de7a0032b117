"""``applies_to: every_assignment`` on the time-skipping server: a person's reassignment restarts the timer for the
new assignee, and duplicated or reordered webhooks change nothing."""

import asyncio
from datetime import timedelta

from temporalio.client import WorkflowHandle

from tests.workflows.fake_inbox import AGENTS, FakeInbox, FakeMessage
from tests.workflows.test_escalation import close_in_respondio, running, until_waiting
from workflows.escalation import Escalation
from workflows.escalation_types import AssigneeChanged, EscalationState, MessageSent, Outcome
from workflows.policy import Policy

ALICE, CAROL, DAVE = AGENTS
OPEN_AND_UNANSWERED = [{"conversation_status": "open"}, {"no_reply_since_assignment": True}]

EVERY_ASSIGNMENT = Policy.model_validate(
    {
        "name": "every-assignment",
        "applies_to": "every_assignment",
        "steps": [
            {"assign": {"user": ALICE.email}},
            {"wait": "15m"},
            {
                "branch": {
                    "all": OPEN_AND_UNANSWERED,
                    "then": [
                        {"assign": {"team": "Tier 2"}},
                        {"comment": "No reply from {previous_assignee} in {waited}; reassigned to {assignee}."},
                    ],
                }
            },
        ],
    }
)


async def _state_when(handle: WorkflowHandle, done) -> EscalationState:
    """Query (which never skips time) until ``done(state)``."""
    async with asyncio.timeout(30):
        while not done(state := await handle.query(Escalation.state)):
            await asyncio.sleep(0.02)
    return state


async def _person_assigns(env, handle: WorkflowHandle, inbox: FakeInbox, agent, *also_heard: int) -> None:
    """A person gives the conversation to ``agent`` in respond.io; its webhook arrives, after ``also_heard`` others."""
    inbox.assignee = agent
    now = await env.get_current_time()
    for assignee_id in (*also_heard, agent.id):
        await handle.signal(Escalation.assignee_changed, AssigneeChanged(assignee_id=assignee_id, changed_at=now))


async def test_a_human_reassignment_restarts_the_timer_for_the_new_assignee(time_skipping_env, record_history):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, EVERY_ASSIGNMENT) as start:
        handle = await start()
        await until_waiting(handle)
        opened = (await handle.query(Escalation.state)).history[0].assigned_at
        await env.sleep(timedelta(minutes=5))
        await _person_assigns(env, handle, inbox, DAVE)
        restarted = await _state_when(handle, lambda s: len(s.history) == 2 and "wait" in s.step)
        await env.sleep(timedelta(minutes=14))
        assert inbox.assignments == [ALICE.id], "Dave's own 15 minutes are not over yet"
        await env.sleep(timedelta(minutes=2))
        escalated = await _state_when(handle, lambda s: s.step == "watching the conversation")
        await close_in_respondio(env, handle, inbox)
        result = await handle.result()
        await record_history(handle)
    assert [(a.agent.id, a.by_person) for a in restarted.history] == [(ALICE.id, False), (DAVE.id, True)]
    assert restarted.deadline is not None
    assert restarted.deadline - opened >= timedelta(minutes=20), "15 minutes from Dave's assignment, not Alice's"
    assert [a.agent.id for a in escalated.history] == [ALICE.id, DAVE.id, CAROL.id]
    assert escalated.history[2].assigned_at - opened >= timedelta(minutes=20)
    assert inbox.assignments == [ALICE.id, CAROL.id]
    assert inbox.comments == ["No reply from Dave Kim in 15 min; reassigned to Carol Diaz."]
    assert (result.outcome, result.level) == (Outcome.ESCALATED, 1)
    assert result.detail.endswith("then the conversation was closed"), result.detail


async def test_duplicated_and_reordered_assignment_webhooks_change_nothing(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, EVERY_ASSIGNMENT) as start:
        handle = await start()
        await until_waiting(handle)
        await _person_assigns(env, handle, inbox, DAVE, CAROL.id)  # a stale event for Carol arrives first
        first = await _state_when(handle, lambda s: len(s.history) == 2 and "wait" in s.step)
        for stale in (DAVE.id, DAVE.id, ALICE.id):  # a duplicate, and Alice's own assignment delivered late
            now = await env.get_current_time()
            await handle.signal(Escalation.assignee_changed, AssigneeChanged(assignee_id=stale, changed_at=now))
        await env.sleep(timedelta(minutes=1))
        after = await _state_when(handle, lambda s: "wait" in s.step)
        inbox.messages.append(FakeMessage(source="user", user_id=DAVE.id, sent_at=await env.get_current_time()))
        await env.sleep(timedelta(minutes=15))
        answered = await _state_when(handle, lambda s: s.step == "watching the conversation")
        await close_in_respondio(env, handle, inbox)
        result = await handle.result()
    assert [a.agent.id for a in first.history] == [ALICE.id, DAVE.id]
    assert after.history == first.history and after.deadline == first.deadline, "the same assignment, the same timer"
    assert answered.history == first.history and inbox.comments == [], "Dave replied: nobody is reassigned"
    assert result.outcome == Outcome.REPLIED, result.detail


async def test_first_assignment_policies_still_leave_a_persons_choice_alone(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    first_only = EVERY_ASSIGNMENT.model_copy(update={"applies_to": "first_assignment"})
    async with running(env, inbox, first_only) as start:
        handle = await start()
        await until_waiting(handle)
        await _person_assigns(env, handle, inbox, DAVE)
        result = await handle.result()
    assert result.outcome == Outcome.REASSIGNED_BY_HUMAN
    assert inbox.assignments == [ALICE.id] and [a.agent for a in result.history] == [ALICE]


async def test_a_stale_webhook_while_watching_does_not_end_the_watch(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, EVERY_ASSIGNMENT) as start:
        handle = await start()
        await until_waiting(handle)
        now = await env.get_current_time()
        inbox.messages.append(FakeMessage(source="user", user_id=ALICE.id, sent_at=now))
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=ALICE.id, sent_at=now))
        await _state_when(handle, lambda s: s.step == "watching the conversation")
        later = await env.get_current_time()
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=ALICE.id, sent_at=later))
        await handle.signal(Escalation.assignee_changed, AssigneeChanged(assignee_id=CAROL.id, changed_at=now))
        reads = inbox.reads
        async with asyncio.timeout(30):  # the stale webhook is checked against respond.io...
            while inbox.reads == reads:
                await asyncio.sleep(0.02)
        still = await handle.query(Escalation.state)  # ...which shows Alice still has it: nothing ends
        await close_in_respondio(env, handle, inbox, at=later)
        result = await handle.result()
    assert still.step == "watching the conversation" and still.outcome is None
    assert result.outcome == Outcome.REPLIED and result.detail.endswith("then the conversation was closed")


async def test_a_stale_webhook_time_never_dates_a_new_assignment_early(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, EVERY_ASSIGNMENT) as start:
        handle = await start()
        await until_waiting(handle)
        await env.sleep(timedelta(minutes=10))
        now = await env.get_current_time()
        inbox.messages.append(FakeMessage(source="user", user_id=ALICE.id, sent_at=now - timedelta(minutes=5)))
        inbox.assignee = DAVE
        for assignee_id, changed_at in ((CAROL.id, now - timedelta(minutes=9)), (DAVE.id, now)):
            await handle.signal(
                Escalation.assignee_changed, AssigneeChanged(assignee_id=assignee_id, changed_at=changed_at)
            )
        timed = await _state_when(handle, lambda s: len(s.history) == 2 and "wait" in s.step)
        await env.sleep(timedelta(minutes=16))
        escalated = await _state_when(handle, lambda s: len(s.history) == 3)
        await handle.execute_update(Escalation.cancel, "test over")
    dated = timed.history[1].assigned_at
    assert now <= dated < now + timedelta(seconds=5), "from Dave's assignment (or its check), not the stale event's"
    assert escalated.history[2].agent.id == CAROL.id, "Alice's earlier reply is not Dave's"


async def test_an_unassigned_conversation_waits_and_is_timed_again_when_given_back(time_skipping_env):
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, EVERY_ASSIGNMENT) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.assignee = None
        now = await env.get_current_time()
        await handle.signal(Escalation.assignee_changed, AssigneeChanged(assignee_id=None, changed_at=now))
        unassigned = await _state_when(handle, lambda s: s.step == "watching the conversation")
        await env.sleep(timedelta(hours=2))  # nobody to time: no timer runs, nothing happens
        await _person_assigns(env, handle, inbox, ALICE)
        timed = await _state_when(handle, lambda s: len(s.history) == 2 and "wait" in s.step)
        await handle.execute_update(Escalation.cancel, "test over")
    assert [a.agent.id for a in unassigned.history] == [ALICE.id] and inbox.comments == []
    assert [(a.agent.id, a.by_person) for a in timed.history] == [(ALICE.id, False), (ALICE.id, True)]


async def test_without_an_assign_step_every_assignment_times_whom_respondio_assigns(time_skipping_env):
    env = time_skipping_env
    timer_only = Policy.model_validate(
        {
            "name": "times-respondio-rules",
            "applies_to": "every_assignment",
            "steps": [
                {"wait": "15m"},
                {"branch": {"all": OPEN_AND_UNANSWERED, "then": [{"comment": "{assignee_mention}: please answer"}]}},
            ],
        }
    )
    inbox = FakeInbox()
    async with running(env, inbox, timer_only) as start:
        handle = await start()
        await until_waiting(handle)
        await env.sleep(timedelta(minutes=2))
        await _person_assigns(env, handle, inbox, CAROL)  # a respond.io rule assigns Carol
        await _state_when(handle, lambda s: len(s.history) == 1 and "wait" in s.step)
        await env.sleep(timedelta(minutes=14))
        assert inbox.comments == [], "Carol's 15 minutes run from her assignment"
        await env.sleep(timedelta(minutes=2))
        await _state_when(handle, lambda s: s.step == "watching the conversation")
        await handle.execute_update(Escalation.cancel, "test over")
    assert inbox.comments == ["{{@user.201}}: please answer"]


async def test_a_reply_to_an_earlier_assignee_is_not_the_outcome_of_a_later_one(time_skipping_env):
    timer = Policy.model_validate(
        {
            "name": "time-whoever-is-assigned",
            "applies_to": "every_assignment",
            "steps": [
                {"wait": "15m"},
                {"branch": {"all": OPEN_AND_UNANSWERED, "then": [{"comment": "please answer"}]}},
            ],
        }
    )
    env = time_skipping_env
    inbox = FakeInbox()
    async with running(env, inbox, timer) as start:
        handle = await start()
        await _person_assigns(env, handle, inbox, CAROL)
        await _state_when(handle, lambda s: len(s.history) == 1 and "wait" in s.step)
        now = await env.get_current_time()
        inbox.messages.append(FakeMessage("user", CAROL.id, now))
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=CAROL.id, sent_at=now))
        await _state_when(handle, lambda s: s.step == "watching the conversation")
        await env.sleep(timedelta(minutes=1))
        await _person_assigns(env, handle, inbox, DAVE)
        await _state_when(handle, lambda s: len(s.history) == 2 and "wait" in s.step)
        await env.sleep(timedelta(minutes=16))  # Dave does not reply: reminded, then watched
        await _state_when(handle, lambda s: s.step == "watching the conversation")
        await close_in_respondio(env, handle, inbox)
        result = await handle.result()
    assert inbox.comments == ["please answer"]
    assert (result.outcome, result.detail) == (Outcome.CLOSED, "the conversation was closed"), "not Carol's reply"
