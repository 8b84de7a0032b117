"""An in-memory respond.io conversation behind fake activities with the real activities' names (routing: the
strategies alone, no roster, so nobody eligible is never queued)."""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.agents import Agent, Choice, Routing
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON, UNAUTHORIZED
from models.conversation import (
    Channel,
    CloseRequest,
    CommentRequest,
    Conversation,
    ConversationRead,
    MessageRequest,
    Reply,
    ReplyQuery,
    TagRequest,
    Taken,
    TakeRequest,
)
from roster.strategies import RosterView, choose

AGENTS = [
    Agent(id=101, email="alice@example.com", name="Alice Ng", team="Tier 1"),
    Agent(id=201, email="carol@example.com", name="Carol Diaz", team="Tier 2"),
    Agent(id=202, email="dave@example.com", name="Dave Kim", team="Tier 2"),
]


ACTIVITIES = (
    "take_conversation",
    "read_conversation",
    "post_comment",
    "send_message",
    "close_conversation",
    "change_tags",
    "agent_online",
)
"""The escalation's activities, by the names the real ones have."""

WHATSAPP = Channel(id=11, name="Support WhatsApp", source="whatsapp")


@dataclass
class FakeMessage:
    source: str
    """Who sent it: ``contact`` (the customer: an incoming message), or respond.io's sender sources."""
    user_id: int | None
    sent_at: datetime


@dataclass
class FakeInbox:
    contact_id: int = 7
    status: str = "open"
    assignee: Agent | None = None
    messages: list[FakeMessage] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    assignments: list[int] = field(default_factory=list)
    refusal: str | None = None
    """While set, every respond.io call fails with this error type (retryable only for a refused token)."""
    refused: int = 0
    tags: set[str] = field(default_factory=set)
    sent: list[str] = field(default_factory=list)
    """Messages the policy sent the customer."""
    closed_by_policy: int = 0
    channel: Channel = WHATSAPP
    reads: int = 0
    closes_after_read: bool = False
    """While set, the next read closes the conversation once it has answered: a person closed it right after."""
    online: set[int] = field(default_factory=set)
    """Whom routing counts online, without a roster (with one, the roster answers)."""
    routing: Routing | None = None
    """The roster to choose through (the real one's client); None: the strategies alone, never queued."""

    def activities(self) -> list:
        return [getattr(self, name) for name in ACTIVITIES]

    @activity.defn(name="take_conversation")
    async def take_conversation(self, request: TakeRequest) -> Taken:
        """Like respond.io behind the real activity: closed or a person's choice ends it, else choose and assign."""
        conversation = self._conversation()
        if self.status == "close":
            raise ApplicationError("the conversation was closed", type=CONVERSATION_CLOSED, non_retryable=True)
        offered = request.offered.agent if request.offered else None
        if (
            (request.previous_assignee_id is not None or request.waited)
            and self.assignee is not None
            and self.assignee.id not in (request.previous_assignee_id, offered and offered.id)
        ):
            raise ApplicationError("a person assigned it elsewhere", type=TAKEN_BY_A_PERSON, non_retryable=True)
        choice = request.offered or await self._choose(request)
        if choice.agent is not None:
            self.assignee = choice.agent
            self.assignments.append(choice.agent.id)
        return Taken(conversation=conversation, choice=choice)

    async def _choose(self, request: TakeRequest) -> Choice:
        if self.routing is None:
            return choose(AGENTS, request.choice, RosterView())
        return await self.routing.choose(request.choice, request.request_id)

    @activity.defn(name="read_conversation")
    async def read_conversation(self, query: ReplyQuery) -> ConversationRead:
        conversation = self._conversation()
        self.reads += 1
        replies = [m for m in self.messages if m.source == "user" and m.sent_at > query.since]
        first = min(replies, key=lambda m: m.sent_at, default=None)
        reply = Reply(message_id=1, user_id=first.user_id, sent_at=first.sent_at) if first else None
        incoming = [m.sent_at for m in self.messages if m.source == "contact"] if query.incoming else []
        if self.closes_after_read:
            self.status, self.closes_after_read = "close", False
        return ConversationRead(
            conversation=conversation,
            reply=reply,
            last_incoming_at=max(incoming, default=None),
            channel=self.channel if incoming else None,
        )

    @activity.defn(name="post_comment")
    async def post_comment(self, request: CommentRequest) -> None:
        self._answer_or_refuse()
        self.comments.append(request.text)

    @activity.defn(name="send_message")
    async def send_message(self, request: MessageRequest) -> str:
        self._answer_or_refuse()
        self.sent.append(request.text)
        return "sent"

    @activity.defn(name="close_conversation")
    async def close_conversation(self, request: CloseRequest) -> str:
        self._answer_or_refuse()
        self.status = "close"
        self.closed_by_policy += 1
        return "closed"

    @activity.defn(name="change_tags")
    async def change_tags(self, request: TagRequest) -> str:
        self._answer_or_refuse()
        if request.remove:
            self.tags -= set(request.tags)
        else:
            self.tags |= set(request.tags)
        return "tags changed"

    @activity.defn(name="agent_online")
    async def agent_online(self, agent_id: int) -> bool:
        return await self.routing.is_online(agent_id) if self.routing else agent_id in self.online

    def _conversation(self) -> Conversation:
        self._answer_or_refuse()
        return Conversation(
            contact_id=self.contact_id,
            contact_name="Pat Lee",
            status=self.status,
            assignee=self.assignee.model_copy(update={"team": None})
            if self.assignee
            else None,  # as respond.io shows it
            tags=sorted(self.tags),
        )

    def _answer_or_refuse(self) -> None:
        if self.refusal is not None:
            self.refused += 1
            raise ApplicationError(
                f"respond.io says no ({self.refusal})", type=self.refusal, non_retryable=self.refusal != UNAUTHORIZED
            )


@dataclass
class SlowToAssign(FakeInbox):
    """respond.io slow to answer an assignment: while ``held``, a take chooses its agent, says so (``chosen``), and
    lands only once ``released`` is set."""

    held: bool = True
    chosen: asyncio.Event = field(default_factory=asyncio.Event)
    released: asyncio.Event = field(default_factory=asyncio.Event)

    @activity.defn(name="take_conversation")
    async def take_conversation(self, request: TakeRequest) -> Taken:
        if self.held:
            choice = request.offered or await self._choose(request)
            self.chosen.set()
            await self.released.wait()
            request = request.model_copy(update={"offered": choice})
        return await super().take_conversation(request)


@dataclass
class FakeInboxes:
    """Several conversations behind one set of activities (a worker registers each activity name once), each
    answered by its own ``FakeInbox``."""

    inboxes: dict[int, FakeInbox]

    def activities(self) -> list:
        return [getattr(self, name) for name in ACTIVITIES]

    @activity.defn(name="take_conversation")
    async def take_conversation(self, request: TakeRequest) -> Taken:
        return await self.inboxes[request.contact_id].take_conversation(request)

    @activity.defn(name="read_conversation")
    async def read_conversation(self, query: ReplyQuery) -> ConversationRead:
        return await self.inboxes[query.contact_id].read_conversation(query)

    @activity.defn(name="post_comment")
    async def post_comment(self, request: CommentRequest) -> None:
        await self.inboxes[request.contact_id].post_comment(request)

    @activity.defn(name="send_message")
    async def send_message(self, request: MessageRequest) -> str:
        return await self.inboxes[request.contact_id].send_message(request)

    @activity.defn(name="close_conversation")
    async def close_conversation(self, request: CloseRequest) -> str:
        return await self.inboxes[request.contact_id].close_conversation(request)

    @activity.defn(name="change_tags")
    async def change_tags(self, request: TagRequest) -> str:
        return await self.inboxes[request.contact_id].change_tags(request)

    @activity.defn(name="agent_online")
    async def agent_online(self, agent_id: int) -> bool:
        return await next(iter(self.inboxes.values())).agent_online(agent_id)
