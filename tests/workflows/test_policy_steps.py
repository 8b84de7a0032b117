"""The policy's contact steps (message, tags, close), repeat, and the conditions on the customer's latest message,
tags, channel and the assignee's presence, on the time-skipping server."""

from datetime import timedelta

import pytest

from tests.workflows.fake_inbox import AGENTS, FakeInbox, FakeMessage
from tests.workflows.test_escalation import close_in_respondio, running, until_waiting
from workflows.escalation import Escalation
from workflows.escalation_types import MessageSent, Outcome
from workflows.policy import Policy

ALICE, CAROL, DAVE = AGENTS
OPEN_AND_UNANSWERED = [{"conversation_status": "open"}, {"no_reply_since_assignment": True}]


def _policy(*steps: dict) -> Policy:
    return Policy.model_validate({"name": "steps", "steps": list(steps)})


async def test_a_reminder_then_a_reassignment_then_a_supervisor_is_one_policy(time_skipping_env):
    ladder = _policy(
        {"assign": {"user": ALICE.email}},
        {"wait": "10m"},
        {"branch": {"all": OPEN_AND_UNANSWERED, "then": [{"comment": "{assignee_mention}: a customer waits"}]}},
        {"wait": "5m"},
        {
            "branch": {
                "all": OPEN_AND_UNANSWERED,
                "then": [{"assign": {"user": CAROL.email}}, {"comment": "Reassigned to {assignee} after {waited}"}],
            }
        },
        {"wait": "15m"},
        {
            "branch": {
                "all": OPEN_AND_UNANSWERED,
                "then": [{"assign": {"user": DAVE.email}}, {"comment": "Supervisor {assignee} took over"}],
            }
        },
    )
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, ladder) as start:
        result = await (await start()).result()
    assert inbox.comments == [
        "{{@user.101}}: a customer waits",
        "Reassigned to Carol Diaz after 15 min",
        "Supervisor Dave Kim took over",
    ]
    opened = result.history[0].assigned_at
    since_opening = [assignment.assigned_at - opened for assignment in result.history]
    assert len(since_opening) == 3 and since_opening[1] >= timedelta(minutes=15), since_opening
    assert since_opening[2] >= timedelta(minutes=30), since_opening
    assert (result.outcome, result.level) == (Outcome.ESCALATED, 2)


async def test_repeat_runs_its_steps_the_given_number_of_times(time_skipping_env, record_history):
    reminders = _policy(
        {"assign": {"user": ALICE.email}},
        {"repeat": {"times": 3, "steps": [{"wait": "10m"}, {"comment": "{assignee_mention}: still waiting"}]}},
    )
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, reminders) as start:
        handle = await start()
        result = await handle.result()
        started = (await handle.describe()).start_time
        await record_history(handle)
    assert inbox.comments == ["{{@user.101}}: still waiting"] * 3
    assert result.finished_at - started >= timedelta(minutes=30)


@pytest.mark.parametrize(("tags", "closed"), [({"vip"}, False), (set(), True)])
async def test_a_holding_message_tags_and_a_close(time_skipping_env, record_history, tags, closed):
    policy = _policy(
        {"assign": {"user": ALICE.email}},
        {"message": "Thanks {contact_name}, {assignee} will answer shortly."},
        {"add_tag": ["waiting", "handoff"]},
        {"wait": "15m"},
        {"remove_tag": "waiting"},
        {
            "branch": {
                "all": [{"contact_tag": {"none_of": ["VIP"]}}],
                "then": [{"close": {"category": "unanswered", "summary": "closed by the escalation policy"}}],
                "else": [{"assign": {"team": "Tier 2"}}],
            }
        },
    )
    inbox = FakeInbox(tags=set(tags))
    async with running(time_skipping_env, inbox, policy) as start:
        handle = await start()
        result = await handle.result()
        await record_history(handle)
    assert inbox.sent == ["Thanks Pat Lee, Alice Ng will answer shortly."]
    assert inbox.tags == tags | {"handoff"}
    if closed:
        assert (result.outcome, inbox.status, inbox.closed_by_policy) == (Outcome.CLOSED, "close", 1)
        assert "the policy closed the conversation" in result.detail
    else:
        assert (result.outcome, inbox.status, inbox.assignments) == (Outcome.ESCALATED, "open", [ALICE.id, CAROL.id])


@pytest.mark.parametrize(
    ("condition", "holds"),
    [
        ({"last_incoming_message": {"more_than": "20m"}}, True),
        ({"last_incoming_message": {"more_than": "40m"}}, False),
        ({"last_incoming_message": {"less_than": "40m"}}, True),
        ({"channel": {"any_of": ["whatsapp"]}}, True),
        ({"channel": {"any_of": ["Support WhatsApp", "messenger"]}}, True),
        ({"channel": {"any_of": [12]}}, False),
        ({"channel": {"none_of": [11]}}, False),
        ({"assignee_online": True}, False),
        ({"assignee_online": False}, True),
        ({"contact_tag": {"all_of": ["gold", "vip"]}}, True),
        ({"contact_tag": {"any_of": ["bronze"]}}, False),
    ],
)
async def test_conditions_on_the_customer_channel_tags_and_presence(time_skipping_env, condition, holds):
    policy = _policy(
        {"assign": {"user": ALICE.email}},
        {"wait": "15m"},
        {"branch": {"all": [condition], "then": [{"comment": "held"}], "else": [{"comment": "did not hold"}]}},
    )
    inbox = FakeInbox(tags={"vip", "gold"}, online={CAROL.id})
    async with running(time_skipping_env, inbox, policy) as start:
        now = await time_skipping_env.get_current_time()
        inbox.messages.append(FakeMessage(source="contact", user_id=None, sent_at=now - timedelta(minutes=10)))
        await (await start()).result()
    assert inbox.comments == (["held"] if holds else ["did not hold"])


async def test_without_an_incoming_message_the_time_since_it_never_holds(time_skipping_env):
    policy = _policy(
        {"assign": {"user": ALICE.email}},
        {"branch": {"any": [{"last_incoming_message": {"more_than": "1m"}}], "else": [{"comment": "never wrote"}]}},
    )
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, policy) as start:
        await (await start()).result()
    assert inbox.comments == ["never wrote"]


REMINDERS = _policy(
    {"assign": {"user": ALICE.email}},
    {"repeat": {"times": 3, "steps": [{"wait": "10m"}, {"comment": "{assignee_mention}, the customer still waits."}]}},
)


async def test_a_close_during_a_wait_ends_the_escalation_before_the_steps_after_it(time_skipping_env, record_history):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, REMINDERS) as start:
        handle = await start()
        await until_waiting(handle)
        await close_in_respondio(time_skipping_env, handle, inbox)
        result = await handle.result()
        await record_history(handle, "-closed-while-waiting")
    assert (result.outcome, result.detail) == (Outcome.CLOSED, "the conversation was closed")
    assert inbox.comments == [], "no reminder on a closed conversation"


async def test_a_read_that_shows_the_conversation_closed_ends_it_whatever_the_webhook_said(time_skipping_env):
    inbox = FakeInbox()
    async with running(time_skipping_env, inbox, REMINDERS) as start:
        handle = await start()
        await until_waiting(handle)
        inbox.status = "close"  # its conversation.closed webhook is lost; a message's arrives
        now = await time_skipping_env.get_current_time()
        await handle.signal(Escalation.message_sent, MessageSent(sender_source="user", user_id=ALICE.id, sent_at=now))
        result = await handle.result()
    assert result.outcome == Outcome.CLOSED and inbox.comments == []
