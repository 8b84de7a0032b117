"""A respond.io conversation as the activities read and change it."""

from datetime import datetime
from typing import Literal

from models.agents import Agent
from models.base import Frozen


class Conversation(Frozen):
    """The conversation as the respond.io API reports it now."""

    contact_id: int
    contact_name: str
    status: Literal["open", "close"]
    assignee: Agent | None


class ReplyQuery(Frozen):
    contact_id: int
    since: datetime


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
