"""What the activities take and return: small, typed, and safe to keep in workflow history."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Agent(_Model):
    """A respond.io user who can be assigned conversations."""

    id: int
    email: str
    name: str
    team: str | None = None

    def mention(self) -> str:
        """respond.io's mention syntax for comments."""
        return f"{{{{@user.{self.id}}}}}"


class Conversation(_Model):
    """The conversation as the respond.io API reports it now."""

    contact_id: int
    contact_name: str
    status: Literal["open", "close"]
    assignee: Agent | None


class ReplyQuery(_Model):
    contact_id: int
    since: datetime


class Reply(_Model):
    """An outgoing message written by a person (sender source ``user``)."""

    message_id: int
    user_id: int | None
    sent_at: datetime


class AssignRequest(_Model):
    contact_id: int
    agent: Agent


class CommentRequest(_Model):
    contact_id: int
    text: str


class ChoiceRequest(_Model):
    """Ask routing for an assignee: one user, a team, or the workspace."""

    contact_id: int
    user: str | int | None = None
    team: str | None = None
    strategy: Literal["round_robin", "least_open"] = "round_robin"
    only_online: bool = False
    max_open: int | None = None
    exclude: list[int] = []


class Candidate(_Model):
    agent: Agent
    rejected_because: str | None = None
    """None when the candidate was eligible."""


class Choice(_Model):
    """Routing's answer: the agent (or None), everyone it considered, and why."""

    agent: Agent | None
    candidates: list[Candidate]
    reason: str
