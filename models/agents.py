"""Agents and routing choices: what the roster, the escalation workflow and the activities exchange."""

from typing import Literal

from pydantic import Field

from models.base import Frozen


class Agent(Frozen):
    """A respond.io user who can be assigned conversations."""

    id: int
    email: str
    name: str
    team: str | None = None

    def mention(self) -> str:
        """respond.io's mention syntax for comments."""
        return f"{{{{@user.{self.id}}}}}"


class ChoiceRequest(Frozen):
    """Ask routing for an assignee: one user, a team, or the workspace."""

    contact_id: int
    user: str | int | None = None
    team: str | None = None
    strategy: Literal["round_robin", "least_open"] = "round_robin"
    only_online: bool = False
    max_open: int | None = None
    exclude: list[int] = Field(default_factory=list)


class Candidate(Frozen):
    agent: Agent
    rejected_because: str | None = None
    """None when the candidate was eligible."""


class Choice(Frozen):
    """Routing's answer: the agent (or None), everyone it considered, and why."""

    agent: Agent | None
    candidates: list[Candidate]
    reason: str
