"""An in-memory respond.io conversation behind fake activities with the real activities' names."""

from dataclasses import dataclass, field
from datetime import datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.agents import Agent, Choice, ChoiceRequest
from models.api_errors import UNAUTHORIZED
from models.conversation import AssignRequest, CommentRequest, Conversation, Reply, ReplyQuery
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

    def activities(self) -> list:
        return [
            self.get_conversation,
            self.find_human_reply,
            self.assign_conversation,
            self.post_comment,
            self.choose_assignee,
        ]

    @activity.defn(name="get_conversation")
    async def get_conversation(self, contact_id: int) -> Conversation:
        self._answer_or_refuse()
        return Conversation(contact_id=contact_id, contact_name="Pat Lee", status=self.status, assignee=self.assignee)

    @activity.defn(name="find_human_reply")
    async def find_human_reply(self, query: ReplyQuery) -> Reply | None:
        self._answer_or_refuse()
        replies = [m for m in self.messages if m.source == "user" and m.sent_at > query.since]
        first = min(replies, key=lambda m: m.sent_at, default=None)
        return Reply(message_id=1, user_id=first.user_id, sent_at=first.sent_at) if first else None

    @activity.defn(name="assign_conversation")
    async def assign_conversation(self, request: AssignRequest) -> None:
        self._answer_or_refuse()
        self.assignee = request.agent
        self.assignments.append(request.agent.id)

    @activity.defn(name="post_comment")
    async def post_comment(self, request: CommentRequest) -> None:
        self._answer_or_refuse()
        self.comments.append(request.text)

    @activity.defn(name="choose_assignee")
    async def choose_assignee(self, request: ChoiceRequest) -> Choice:
        return choose(AGENTS, request, RosterView())

    def _answer_or_refuse(self) -> None:
        if self.refusal is not None:
            self.refused += 1
            raise ApplicationError(
                f"respond.io says no ({self.refusal})", type=self.refusal, non_retryable=self.refusal != UNAUTHORIZED
            )
