"""The roster's settings, state, signal payloads and snapshot: who can take a conversation now.

respond.io's API has no presence, no load figure and no round-robin cursor, so the roster
keeps them. ``RosterState`` is the roster workflow's whole state and also its input, so a
continue-as-new carries everything; its methods are the only code that changes it.
"""

from datetime import datetime, timedelta
from typing import Annotated, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from models.agents import Agent, Choice, ChoiceRequest
from models.durations import Duration
from models.ids import escalation_workflow_id
from roster.strategies import RosterView, pool_key

_T = TypeVar("_T", int, str)
SortedSet = Annotated[set[_T], PlainSerializer(sorted)]
"""A set written as a sorted list, so the same state always serializes the same way."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RosterConfig(_Frozen):
    """How the roster judges presence and how often it refreshes the agent list."""

    inactivity_timeout: Duration = timedelta(minutes=15)
    """An agent who sent a message counts as online this long afterwards (respond.io: 1 to 60 minutes)."""
    sync_every: Duration = timedelta(minutes=5)
    default_online: bool = False
    """Presence of an agent nobody reported on: offline, since respond.io's API has no presence."""
    continue_after: int = Field(default=500, ge=1)
    """Handled updates and signals after which the roster continues as new, to keep its history short."""

    @field_validator("inactivity_timeout")
    @classmethod
    def _like_respondio(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= timedelta(minutes=60):
            raise ValueError("respond.io's inactivity timeout is between 1m and 60m")
        return value

    @field_validator("sync_every")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the agent list must be synced at a positive interval, e.g. 5m")
        return value


class PresenceChange(_Frozen):
    """Signal: an agent (or an operator for them) set their presence explicitly."""

    agent_id: int
    online: bool


class AgentActivity(_Frozen):
    """Signal: an agent sent a message at ``at``, so they are online for the inactivity timeout."""

    agent_id: int
    at: AwareDatetime


class ContactAssignment(_Frozen):
    """Signal: the contact's conversation now belongs to ``agent_id`` (None: unassigned)."""

    contact_id: int
    agent_id: int | None


class AgentStatus(_Frozen):
    agent: Agent
    online: bool
    open: int
    active_until: datetime | None
    """When activity alone stops counting the agent as online; None without recent activity."""


class RosterSnapshot(_Frozen):
    """What the ``snapshot`` query answers, for the CLI and the demo."""

    as_of: datetime
    agents: list[AgentStatus]
    cursors: dict[str, int]
    waiting: list[str]
    """Escalation workflows told that nobody was eligible, to wake when that may have changed."""


class RosterState(BaseModel):
    """Everything the roster knows; the workflow's input, so continue-as-new carries it whole."""

    config: RosterConfig = RosterConfig()
    agents: list[Agent] = []
    synced_at: datetime | None = None
    presence: dict[int, bool] = {}
    """Presence set explicitly, by agent id."""
    last_active: dict[int, datetime] = {}
    open: dict[int, SortedSet[int]] = {}
    """Open contact ids by agent id: a set, so a repeated event changes nothing."""
    cursors: dict[str, int] = {}
    """Per pool (``roster.strategies.pool_key``), the agent round robin chose last."""
    waiting: SortedSet[str] = set()

    def is_online(self, agent_id: int, now: datetime) -> bool:
        """Explicitly online, or active within the inactivity timeout."""
        active_until = self._active_until(agent_id)
        return self.presence.get(agent_id, self.config.default_online) or (
            active_until is not None and now < active_until
        )

    def view(self, now: datetime) -> RosterView:
        return RosterView(
            online=frozenset(a.id for a in self.agents if self.is_online(a.id, now)),
            open_counts={agent_id: len(contacts) for agent_id, contacts in self.open.items()},
            cursors=dict(self.cursors),
        )

    def record(self, request: ChoiceRequest, choice: Choice) -> None:
        """Remember a choice: whose turn it was and who has the conversation, or who waits for an agent."""
        escalation = escalation_workflow_id(request.contact_id)
        if choice.agent is None:
            self.waiting.add(escalation)
            return
        self.waiting.discard(escalation)
        if request.user is None and request.strategy == "round_robin":
            self.cursors[pool_key(request)] = choice.agent.id
        self.move(request.contact_id, choice.agent.id)

    def move(self, contact_id: int, agent_id: int | None) -> bool:
        """Leave the contact open with ``agent_id`` only (None: with nobody); True if another agent's load shrank."""
        shrank = False
        for owner, contacts in self.open.items():
            if owner != agent_id and contact_id in contacts:
                contacts.discard(contact_id)
                shrank = True
        if agent_id is not None:
            self.open.setdefault(agent_id, set()).add(contact_id)
        return shrank

    def set_presence(self, change: PresenceChange, now: datetime) -> bool:
        """Apply an explicit presence (offline also forgets activity); True if the agent came online."""
        was_online = self.is_online(change.agent_id, now)
        self.presence[change.agent_id] = change.online
        if not change.online:
            self.last_active.pop(change.agent_id, None)
        return not was_online and self.is_online(change.agent_id, now)

    def saw_activity(self, activity: AgentActivity, now: datetime) -> bool:
        """Note an agent's message (the latest one wins, whatever the order of arrival); True if they came online."""
        was_online = self.is_online(activity.agent_id, now)
        self.last_active[activity.agent_id] = max(activity.at, self.last_active.get(activity.agent_id, activity.at))
        return not was_online and self.is_online(activity.agent_id, now)

    def sync(self, agents: list[Agent], now: datetime) -> bool:
        """Take respond.io's agent list; True if it names someone new."""
        known = {a.id for a in self.agents}
        self.agents, self.synced_at = agents, now
        return any(a.id not in known for a in agents)

    def snapshot(self, now: datetime) -> RosterSnapshot:
        return RosterSnapshot(
            as_of=now,
            agents=[
                AgentStatus(
                    agent=a,
                    online=self.is_online(a.id, now),
                    open=len(self.open.get(a.id, ())),
                    active_until=self._active_until(a.id),
                )
                for a in self.agents
            ],
            cursors=dict(self.cursors),
            waiting=sorted(self.waiting),
        )

    def _active_until(self, agent_id: int) -> datetime | None:
        seen = self.last_active.get(agent_id)
        return seen + self.config.inactivity_timeout if seen is not None else None
