"""An in-memory respond.io conversation behind fake activities with the real activities' names (routing: the
strategies alone, no roster, so nobody eligible is never queued)."""

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.agents import Agent, Choice, Routing
from models.api_errors import CONVERSATION_CLOSED, TAKEN_BY_A_PERSON, UNAUTHORIZED
from models.conversation import CommentRequest, Conversation, ConversationRead, Reply, ReplyQuery, Taken, TakeRequest
from roster.strategies import RosterView, choose

AGENTS = [
    Agent(id=101, email="alice@example.com", name="Alice Ng", team="Tier 1"),
    Agent(id=201, email="carol@example.com", name="Carol Diaz", team="Tier 2"),
    Agent(id=202, email="dave@example.com", name="Dave Kim", team="Tier 2"),
]


@dataclass
class FakeMessage:
    source: str
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
    routing: Routing | None = None
    """The roster to choose through (the real one's client); None: the strategies alone, never queued."""

    def activities(self) -> list:
        return [self.take_conversation, self.read_conversation, self.post_comment]

    @activity.defn(name="take_conversation")
    async def take_conversation(self, request: TakeRequest) -> Taken:
        """Like respond.io behind the real activity: closed or a person's choice ends it, else choose and assign."""
        conversation = self._conversation()
        if self.status == "close":
            raise ApplicationError("the conversation was closed", type=CONVERSATION_CLOSED, non_retryable=True)
        if (
            request.previous_assignee_id is not None
            and (self.assignee and self.assignee.id) != request.previous_assignee_id
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
        replies = [m for m in self.messages if m.source == "user" and m.sent_at > query.since]
        first = min(replies, key=lambda m: m.sent_at, default=None)
        reply = Reply(message_id=1, user_id=first.user_id, sent_at=first.sent_at) if first else None
        return ConversationRead(conversation=conversation, reply=reply)

    @activity.defn(name="post_comment")
    async def post_comment(self, request: CommentRequest) -> None:
        self._answer_or_refuse()
        self.comments.append(request.text)

    def _conversation(self) -> Conversation:
        self._answer_or_refuse()
        return Conversation(
            contact_id=self.contact_id, contact_name="Pat Lee", status=self.status, assignee=self.assignee
        )

    def _answer_or_refuse(self) -> None:
        if self.refusal is not None:
            self.refused += 1
            raise ApplicationError(
                f"respond.io says no ({self.refusal})", type=self.refusal, non_retryable=self.refusal != UNAUTHORIZED
            )
