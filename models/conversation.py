"""A respond.io conversation as the activities read and change it."""

from datetime import datetime
from typing import Literal

from pydantic import Field

from models.agents import Agent, Choice, ChoiceRequest
from models.base import Frozen


class Conversation(Frozen):
    """The conversation as the respond.io API reports it now."""

    contact_id: int
    contact_name: str
    status: Literal["open", "close"]
    assignee: Agent | None
    tags: list[str] = Field(default_factory=list)
    """The contact's tags, as respond.io spells them."""


class Channel(Frozen):
    """A channel of the workspace (a WhatsApp number, a Messenger page, ...). ``name`` and ``source`` (such as
    ``whatsapp``, ``facebook``) are None when respond.io's channel list did not name it."""

    id: int
    name: str | None = None
    source: str | None = None


class ReplyQuery(Frozen):
    contact_id: int
    since: datetime
    incoming: bool = False
    """Also find the customer's newest message (``ConversationRead.last_incoming_at`` and ``channel``); off by
    default, as it may read further back in the messages."""


class Reply(Frozen):
    """An outgoing message written by a person (sender source ``user``)."""

    message_id: int
    user_id: int | None
    sent_at: datetime


class AssignRequest(Frozen):
    contact_id: int
    agent: Agent
    previous_assignee_id: int | None = None
    """Who had the conversation from Handoff before (None: nobody yet); anyone else now is a person's choice."""


class CommentRequest(Frozen):
    contact_id: int
    text: str


class TakeRequest(Frozen):
    """Give the conversation to an agent in one step: read it, choose (unless ``offered``), assign."""

    choice: ChoiceRequest
    request_id: str
    """Names this assign step's choice: the same for every retry of the activity and every re-execution of the step
    (a failed workflow task may run it again), so routing answers it with the same agent."""
    previous_assignee_id: int | None = None
    """Who had the conversation from Handoff before (None: nobody yet); anyone else now is a person's choice."""
    waited: bool = False
    """The step waited (for its hours, or in the queue) before this take: with nobody from Handoff before, anyone
    respond.io shows now was given it meanwhile by a person or a rule, whose choice stands."""
    offered: Choice | None = None
    """The roster's offer from its queue: assign this choice's agent without choosing again."""

    @property
    def contact_id(self) -> int:
        return self.choice.contact_id


class Taken(Frozen):
    """What the take activity did: the conversation as it read it, and routing's choice (agent None: nobody)."""

    conversation: Conversation
    choice: Choice
    confirmed: str | None = None
    """What respond.io confirmed of the assignment; None when nobody was assigned."""


class ConversationRead(Frozen):
    """One decision's read of the conversation: status and assignee, and the first human reply since a time."""

    conversation: Conversation
    reply: Reply | None
    last_incoming_at: datetime | None = None
    """When the customer last wrote; None when the query did not ask (``incoming``), the conversation is closed, or
    the customer never wrote."""
    channel: Channel | None = None
    """The channel of the customer's newest message, under the same conditions as ``last_incoming_at``."""


class MessageRequest(Frozen):
    """A text message to the customer (sender source ``api``)."""

    contact_id: int
    text: str
    channel_id: int | None = None
    """None: respond.io sends on the channel the contact last interacted on."""


class CloseRequest(Frozen):
    """Close the conversation with an optional closing note (respond.io: category at most 128 characters, summary
    at most 512)."""

    contact_id: int
    category: str | None = None
    summary: str | None = None


class TagRequest(Frozen):
    """Add (or, with ``remove``, remove) contact tags; respond.io takes names of 1 to 255 characters."""

    contact_id: int
    tags: list[str]
    remove: bool = False
