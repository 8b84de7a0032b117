"""Agents and routing choices: what the roster, the escalation workflow and the activities exchange."""

from datetime import datetime
from typing import Literal, Protocol

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
    queue: bool = False
    """When nobody is eligible, wait in the roster's queue: the roster offers an agent to the escalation later
    (its ``offered`` signal). False (runs started before the queue existed): answer nobody and forget."""


class Candidate(Frozen):
    agent: Agent
    rejected_because: str | None = None
    """None when the candidate was eligible."""


class Choice(Frozen):
    """Routing's answer: the agent (or None), everyone it considered, and why."""

    agent: Agent | None
    candidates: list[Candidate]
    reason: str
    queued: bool = False
    """Nobody was eligible and the request waits in the roster's queue for an ``offered`` signal."""


class AgentWentOffline(Frozen):
    """The roster's signal to an escalation: an agent who has (or was chosen for) its conversation went offline,
    explicitly or by inactivity, at ``at``."""

    agent: Agent
    at: datetime


class Routing(Protocol):
    """What the take activity needs of routing (the roster's client, ``roster.client.RosterClient``)."""

    async def choose(self, request: ChoiceRequest, request_id: str) -> Choice:
        """An agent, chosen and held for the contact (or nobody: queued); a ``request_id`` already answered with an
        agent gets that agent again, while routing remembers it (its last 1,000 choices)."""
        ...

    async def withdraw(self, contact_id: int) -> None:
        """The contact no longer wants an agent: leave the queue and give back a hold not yet confirmed."""
        ...

    async def is_online(self, agent_id: int) -> bool:
        """Whether the roster counts the agent as online now (explicitly, or active within the inactivity timeout)."""
        ...
