"""Whether a branch's condition holds, given what the escalation read: pure, so a replay decides the same way."""

from dataclasses import dataclass
from datetime import datetime

from models.conversation import ConversationRead
from workflows.calendars import Calendar
from workflows.policy_conditions import Condition


@dataclass(frozen=True)
class Facts:
    """What a branch decides on: one read of the conversation, the time, the policy's calendars, and (only when a
    condition asks) whether the roster counts the assignee online."""

    read: ConversationRead
    now: datetime
    calendars: dict[str, Calendar]
    assignee_online: bool | None = None


def holds(condition: Condition, facts: Facts) -> bool:
    conversation = facts.read.conversation
    if condition.conversation_status is not None:
        status = "closed" if conversation.status == "close" else "open"
        return status == condition.conversation_status
    if condition.no_reply_since_assignment is not None:
        return (facts.read.reply is None) == condition.no_reply_since_assignment
    if condition.within_hours is not None:
        return facts.calendars[condition.within_hours].is_open(facts.now)
    if condition.last_incoming_message is not None:
        last = facts.read.last_incoming_at
        return last is not None and condition.last_incoming_message.holds(facts.now - last)
    if condition.contact_tag is not None:
        return condition.contact_tag.holds(set(conversation.tags))
    if condition.channel is not None:
        channel = facts.read.channel
        names = {str(channel.id), channel.name, channel.source} - {None} if channel else set()
        return condition.channel.holds({name for name in names if name})
    return facts.assignee_online == condition.assignee_online
