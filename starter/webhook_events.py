"""respond.io webhook payloads, and what each one asks Handoff to do.

The models mirror the wire names and read only the fields Handoff needs; anything else in a
payload is ignored, so respond.io adding fields never breaks the receiver. ``action_for``
is pure: the receiver does the talking to Temporal.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from models.timestamps import MILLISECOND, EpochTime, from_epoch, message_time
from roster.client import RosterNews
from starter.policy_file import describe_error
from workflows.escalation import Escalation
from workflows.escalation_types import AssigneeChanged, ConversationClosed, MessageSent
from workflows.policy import Policy

M = TypeVar("M", bound=BaseModel)


class InvalidEvent(Exception):
    """A payload without a field Handoff needs, or with one of the wrong type; the message names it."""


def _plausible_time(value: float) -> float:
    """Refuse numbers that are no time at all, so such a payload is a 400 naming the field."""
    from_epoch(value)
    return value


EpochNumber = Annotated[float, AfterValidator(_plausible_time)]
WireId = Annotated[int, Field(ge=-(2**63), lt=2**63)]
"""respond.io's ids are 64-bit integers: a longer number is no id, and would make a workflow id longer than
Temporal takes (a 500 on every retry, where a 400 naming the field is the answer)."""


class _Wire(BaseModel):
    model_config = ConfigDict(allow_inf_nan=False, coerce_numbers_to_str=True)


class Assignee(_Wire):
    id: WireId | None = None


class Contact(_Wire):
    id: WireId
    assignee: Assignee | None = None


class Envelope(_Wire):
    """What every event carries."""

    event_type: str
    event_id: str | None = None
    contact: Contact


class OpenedConversation(_Wire):
    openedTime: EpochNumber | None = None
    openedBySource: str | None = None
    source: str | None = None


class ConversationOpenedEvent(Envelope):
    conversation: OpenedConversation | None = None
    source: str | None = None

    @property
    def opening_source(self) -> str | None:
        """Who opened the conversation; respond.io's field name is unconfirmed, so look in each likely place."""
        conversation = self.conversation or OpenedConversation()
        return conversation.openedBySource or self.source or conversation.source


class Sender(_Wire):
    source: str
    userId: WireId | None = None


class Status(_Wire):
    timestamp: EpochNumber | None = None


class SentMessage(_Wire):
    messageId: WireId | None = None
    sender: Sender
    timestamp: EpochNumber | None = None
    status: list[Status] = []


class MessageSentEvent(Envelope):
    message: SentMessage


class ClosedConversation(_Wire):
    closedTime: EpochNumber | None = None


class ConversationClosedEvent(Envelope):
    conversation: ClosedConversation | None = None


@dataclass(frozen=True)
class StartEscalation:
    contact_id: int
    opening: str
    opened_at: datetime


@dataclass(frozen=True)
class SignalEscalation:
    contact_id: int
    signal: Callable[..., None]
    event: BaseModel
    roster: RosterNews | None = None
    """Sent too, whether or not an escalation is running: load and presence are the roster's."""


@dataclass(frozen=True)
class Ignore:
    why: str


Action = StartEscalation | SignalEscalation | Ignore


def action_for(payload: object, policy: Policy, now: datetime) -> Action:
    """Validate a decoded payload and say what to do with it; raise InvalidEvent naming the bad field."""
    envelope = _validate(Envelope, payload)
    handler = _HANDLERS.get(envelope.event_type)
    if handler is None:
        return Ignore(f"Handoff does not act on {envelope.event_type} events")
    model, decide = handler
    return decide(_validate(model, payload), policy, now)


def _validate(model: type[M], payload: object) -> M:
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        raise InvalidEvent("; ".join(describe_error(item) for item in error.errors())) from error


def _opened(event: ConversationOpenedEvent, policy: Policy, now: datetime) -> Action:
    source = event.opening_source
    if source is None:
        return Ignore(
            "the event names no opening source (looked at conversation.openedBySource, source, conversation.source)"
        )
    if source not in policy.trigger.sources:
        wanted = ", ".join(policy.trigger.sources)
        return Ignore(f"opened by {source}; policy {policy.name!r} escalates conversations opened by {wanted}")
    opened_time = event.conversation.openedTime if event.conversation else None
    if opened_time is None:
        return StartEscalation(event.contact.id, event.event_id or now.isoformat(), now)
    opening = str(int(opened_time)) if opened_time.is_integer() else str(opened_time)
    return StartEscalation(event.contact.id, opening, from_epoch(opened_time))


def _sent(event: MessageSentEvent, policy: Policy, now: datetime) -> Action:
    message = event.message
    sent = message_time(message.model_dump()) or EpochTime(at=now, precision=MILLISECOND)
    signal = MessageSent(
        message_id=message.messageId,
        sender_source=message.sender.source,
        user_id=message.sender.userId,
        sent_at=sent.at,
        sent_precision=sent.precision,
    )
    user_id = message.sender.userId
    news = (
        RosterNews.agent_active(user_id, signal.sent_at)
        if signal.sender_source == "user" and user_id is not None
        else None
    )
    return SignalEscalation(event.contact.id, Escalation.message_sent, signal, news)


def _closed(event: ConversationClosedEvent, policy: Policy, now: datetime) -> Action:
    closed_time = event.conversation.closedTime if event.conversation else None
    closed_at = now if closed_time is None else from_epoch(closed_time)
    news = RosterNews.closed(event.contact.id)
    return SignalEscalation(
        event.contact.id, Escalation.conversation_closed, ConversationClosed(closed_at=closed_at), news
    )


def _assignee_updated(event: Envelope, policy: Policy, now: datetime) -> Action:
    assignee_id = event.contact.assignee.id if event.contact.assignee else None
    signal = AssigneeChanged(assignee_id=assignee_id or None, changed_at=now)
    news = RosterNews.assigned(event.contact.id, signal.assignee_id)
    return SignalEscalation(event.contact.id, Escalation.assignee_changed, signal, news)


_HANDLERS: dict[str, tuple[type[Envelope], Callable[..., Action]]] = {
    "conversation.opened": (ConversationOpenedEvent, _opened),
    "message.sent": (MessageSentEvent, _sent),
    "conversation.closed": (ConversationClosedEvent, _closed),
    "contact.assignee.updated": (Envelope, _assignee_updated),
}
HANDLED_EVENTS = frozenset(_HANDLERS)
"""The event types Handoff acts on; any other is acknowledged and ignored."""
