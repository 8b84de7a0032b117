"""Turning webhook payloads into actions: the defensive reads of fields respond.io leaves unconfirmed."""

from datetime import UTC, datetime

import pytest

from models.timestamps import MILLISECOND
from roster.client import RosterNews
from starter.webhook_events import Ignore, InvalidEvent, SignalEscalation, StartEscalation, action_for
from tests.starter.receiving import POLICY, event
from workflows.escalation import Escalation
from workflows.escalation_types import AssigneeChanged, ConversationClosed, MessageSent

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
OPENED = datetime(2026, 9, 21, 18, 13, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    "details",
    [
        {"conversation": {"openedTime": 1_790_014_400_000, "openedBySource": "contact"}},
        {"conversation": {"openedTime": 1_790_014_400}, "source": "contact"},
        {"conversation": {"openedTime": 1_790_014_400_000, "source": "contact"}},
    ],
)
def test_opening_source_and_time_are_read_wherever_they_are(details):
    action = action_for(event("conversation.opened", 7, **details), POLICY, NOW)
    assert isinstance(action, StartEscalation)
    assert action.contact_id == 7 and action.opened_at == OPENED
    assert action.opening == str(details["conversation"]["openedTime"])


def test_opening_without_a_time_is_identified_by_its_event_id():
    payload = event("conversation.opened", 7, source="contact")
    assert action_for(payload, POLICY, NOW) == StartEscalation(7, payload["event_id"], NOW)


def test_opening_without_a_source_is_ignored():
    action = action_for(event("conversation.opened", 7, conversation={"openedTime": 1}), POLICY, NOW)
    assert isinstance(action, Ignore) and "openedBySource" in action.why


def test_sent_time_falls_back_to_the_first_status_then_to_now():
    sender = {"source": "user", "userId": 101}
    from_status = event(
        "message.sent", 7, message={"sender": sender, "status": [{"value": "sent", "timestamp": 1_790_014_400_000}]}
    )
    untimed = event("message.sent", 7, message={"messageId": 5, "sender": {"source": "workflow"}})
    assert action_for(from_status, POLICY, NOW) == SignalEscalation(
        7,
        Escalation.message_sent,
        MessageSent(sender_source="user", user_id=101, sent_at=OPENED),
        RosterNews.agent_active(101, OPENED),  # a person wrote: online for the inactivity timeout
    )
    bot = action_for(untimed, POLICY, NOW)
    assert bot.event == MessageSent(message_id=5, sender_source="workflow", sent_at=NOW, sent_precision=MILLISECOND)
    assert bot.roster is None  # automation says nothing about anyone's presence


def test_closed_and_reassigned_carry_their_times_and_assignee():
    closed = action_for(event("conversation.closed", 7), POLICY, NOW)
    assert closed == SignalEscalation(
        7,
        Escalation.conversation_closed,
        ConversationClosed(closed_at=NOW),
        RosterNews.closed(7),
    )
    payload = event("contact.assignee.updated", 7)
    payload["contact"]["assignee"] = {"id": 202, "email": "dave@example.com"}
    reassigned = action_for(payload, POLICY, NOW)
    assert reassigned.event == AssigneeChanged(assignee_id=202, changed_at=NOW)
    assert reassigned.roster == RosterNews.assigned(7, 202)
    assert action_for(event("contact.assignee.updated", 7), POLICY, NOW).event == AssigneeChanged(
        assignee_id=None, changed_at=NOW
    )


@pytest.mark.parametrize("opened_time", [1e30, -1e30])
def test_impossible_times_are_invalid(opened_time):
    payload = event("conversation.opened", 7, conversation={"openedTime": opened_time, "openedBySource": "contact"})
    with pytest.raises(InvalidEvent, match=r"conversation\.openedTime"):
        action_for(payload, POLICY, NOW)
