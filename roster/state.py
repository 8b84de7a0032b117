"""The roster's settings, state, signal payloads and snapshot: who can take a conversation now.

respond.io's API has no presence, no load figure and no round-robin cursor, so the roster
keeps them, with the queue of conversations waiting for an agent. ``RosterState`` is the roster
workflow's whole state and also its input, so a continue-as-new carries everything; its methods
are the only code that changes it.
"""

from datetime import datetime, timedelta
from typing import Annotated, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from models.agents import Agent, AgentWentOffline, Candidate, Choice, ChoiceRequest
from models.durations import Duration, format_duration
from models.ids import escalation_workflow_id
from roster import strategies
from roster.load import Hold, carriers, contacts_of, load_counts, reconciled
from roster.queue import Offer, QueueEntry, ahead_in_words, places
from roster.strategies import RosterView, pool_key

_T = TypeVar("_T", int, str)
SortedSet = Annotated[set[_T], PlainSerializer(sorted)]
"""A set written as a sorted list, so the same state always serializes the same way."""

DECISIONS_KEPT = 1000
"""Agents remembered by request id: a take repeats its request id within minutes, however many choices happen."""
ASKED_AGAIN = "the agent already chosen for this request, asked again"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RosterConfig(_Frozen):
    """How the roster judges presence and how often it refreshes the agent list and the load."""

    inactivity_timeout: Duration = timedelta(minutes=15)
    """An agent who sent a message counts as online this long afterwards (respond.io: 1 to 60 minutes)."""
    sync_every: Duration = timedelta(minutes=5)
    reconcile_every: Duration = timedelta(minutes=10)
    """How often each agent's open conversations are read from respond.io and replace the roster's count."""
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

    @field_validator("sync_every", "reconcile_every")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive interval, e.g. 5m")
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
    held: int = 0
    """Conversations chosen for the agent that respond.io has not confirmed yet; they count toward the load too."""


class QueuedContact(_Frozen):
    contact_id: int
    pool: str
    place: int
    """Its place among the contacts waiting for the same pool: 1 is served next."""
    since: datetime


class RosterSnapshot(_Frozen):
    """What the ``snapshot`` query answers, for the CLI and the demo."""

    as_of: datetime
    agents: list[AgentStatus]
    cursors: dict[str, int]
    waiting: list[str]
    """Escalation workflows of older versions told that nobody was eligible, to wake when that may have changed."""
    queue: list[QueuedContact] = []
    """Contacts waiting for an agent, in arrival order: first come, first served within each pool."""
    synced_at: datetime | None = None
    """When the agent list was last read from respond.io; None before the first read, when no agent is known yet."""


class RosterState(BaseModel):
    """Everything the roster knows; the workflow's input, so continue-as-new carries it whole."""

    config: RosterConfig = RosterConfig()
    agents: list[Agent] = []
    synced_at: datetime | None = None
    reconciled_at: datetime | None = None
    presence: dict[int, bool] = {}
    """Presence set explicitly, by agent id."""
    last_active: dict[int, datetime] = {}
    open: dict[int, SortedSet[int]] = {}
    """Open contact ids by agent id, as respond.io confirmed them: a set, so a repeated event changes nothing."""
    holds: dict[int, Hold] = {}
    """By contact id: the agent chosen for it, counted in their load until confirmed or given back."""
    cursors: dict[str, int] = {}
    """Per pool (``roster.strategies.pool_key``), the agent round robin chose last."""
    waiting: SortedSet[str] = set()
    """Escalations of older versions that were told nobody is eligible (requests without ``queue``)."""
    queue: dict[int, QueueEntry] = {}
    """By contact id, in arrival order: a repeated request for a contact replaces its entry and keeps its place."""
    decisions: dict[str, int] = {}
    """The agent chosen per request id, oldest first, the last ``DECISIONS_KEPT`` of them."""
    seen_online: SortedSet[int] = set()
    """Known agents online when the roster last looked for who went offline (``went_offline``)."""
    looked_at: datetime | None = None
    """When the roster last looked for who went offline."""

    def is_online(self, agent_id: int, now: datetime) -> bool:
        """Explicitly online, or active within the inactivity timeout."""
        active_until = self._active_until(agent_id)
        return self.presence.get(agent_id, self.config.default_online) or (
            active_until is not None and now < active_until
        )

    def went_offline(self, now: datetime) -> list[AgentWentOffline]:
        """Look for who went offline since the last look, among the agents then online and now with a conversation
        to tell about, each with the moment they went offline. Once looked at, an agent offline is no longer seen
        online, so one going offline is reported once, however it is told again (explicit offline after the
        inactivity timeout ran out, say)."""
        gone = [
            AgentWentOffline(agent=agent, at=self._offline_since(agent.id, now))
            for agent in self.agents
            if agent.id in self.seen_online and not self.is_online(agent.id, now) and self.contacts_of(agent.id)
        ]
        self.seen_online, self.looked_at = self._online(now), now
        return gone

    def next_look(self, now: datetime) -> datetime | None:
        """When the first agent with a conversation who is online by activity alone (no explicit or default presence
        keeps them online) stops being online: the roster looks then, so their escalations hear of it at once."""
        carrying = carriers(self.open, self.holds)
        ends = [
            until
            for agent_id in self._online(now) & carrying
            if not self.presence.get(agent_id, self.config.default_online)
            and (until := self._active_until(agent_id)) is not None
        ]
        return min(ends, default=None)

    def look_due(self, now: datetime, planned: datetime) -> bool:
        """Whether to look before ``planned``: someone came online or went offline since the last look, or an
        activity-based presence ``next_look`` watches now ends sooner (a first conversation, a shorter timeout)."""
        if self._online(now) != self.seen_online:
            return True
        ends = self.next_look(now)
        return ends is not None and ends < planned

    def contacts_of(self, agent_id: int) -> list[int]:
        """The contacts of the agent's open and held conversations: whose escalations hear they went offline."""
        return contacts_of(agent_id, self.open, self.holds)

    def view(self, now: datetime) -> RosterView:
        return RosterView(
            online=frozenset(a.id for a in self.agents if self.is_online(a.id, now)),
            open_counts=load_counts(self.open, self.holds),
            cursors=dict(self.cursors),
        )

    def choose(self, request: ChoiceRequest, request_id: str, now: datetime) -> Choice:
        """Choose and hold an agent for the request; when nobody is eligible, queue it (``request.queue``) or
        remember its escalation as waiting. A request id already answered with an agent gets that agent again."""
        remembered = self.decisions.get(request_id)
        known = next((a for a in self.agents if a.id == remembered), None)
        if known is not None:
            return Choice(agent=known, candidates=[Candidate(agent=known)], reason=ASKED_AGAIN)
        choice = strategies.choose(self.agents, request, self.view(now))
        if choice.agent is not None:
            self.queue.pop(request.contact_id, None)
            self.waiting.discard(escalation_workflow_id(request.contact_id))
            self._hold(request, choice.agent, request_id, now)
            return choice
        if request.queue:
            return self._enqueue(request, request_id, choice, now)
        self.waiting.add(escalation_workflow_id(request.contact_id))
        return choice

    def hand_out(self, now: datetime) -> list[Offer]:
        """Serve the queue with the capacity there is now: hold an agent for each contact that can have one.

        Work-conserving first come, first served: contacts are served in arrival order, and one nobody can
        serve now (its pool is offline or full) keeps its place while later ones another agent can serve are
        served, so capacity never idles behind a contact who cannot use it.
        """
        offers = []
        view = self.view(now)
        unserved: set[str] = set()
        for contact_id, entry in list(self.queue.items()):
            alike = entry.request.model_dump_json(exclude={"contact_id"})
            if alike in unserved:  # a hand-out only uses capacity up: a request alike finds nobody either
                continue
            choice = strategies.choose(self.agents, entry.request, view)
            if choice.agent is None:
                unserved.add(alike)
                continue
            del self.queue[contact_id]
            hold = self._hold(entry.request, choice.agent, entry.request_id, now)
            reason = f"{choice.reason}; offered after {format_duration(now - entry.since)} in the queue"
            offers.append(Offer(contact_id, choice.model_copy(update={"reason": reason}), hold))
            view = self.view(now)
        return offers

    def give_back(self, offer: Offer) -> None:
        """An offer that found its escalation gone: release its hold, unless something newer replaced it."""
        if self.holds.get(offer.contact_id) == offer.hold:
            del self.holds[offer.contact_id]

    def withdraw(self, contact_id: int) -> bool:
        """The contact no longer wants an agent: leave the queue, release a hold; True if a hold was released."""
        self.queue.pop(contact_id, None)
        return self.holds.pop(contact_id, None) is not None

    def assigned(self, contact_id: int, agent_id: int | None) -> bool:
        """respond.io's latest word on who has the conversation: the open load moves to them, and the contact's hold
        ends (confirmed if it named them, else overtaken); True if someone's load shrank."""
        hold = self.holds.pop(contact_id, None)
        overtaken = hold is not None and hold.agent_id != agent_id
        return self.move(contact_id, agent_id) or overtaken

    def close(self, contact_id: int) -> bool:
        """The conversation closed: nobody carries it and nobody waits for it; True if someone's load shrank."""
        released = self.withdraw(contact_id)
        return self.move(contact_id, None) or released

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

    def reconcile(self, assigned: dict[int, list[int]], now: datetime, news: set[int]) -> dict[int, tuple[int, int]]:
        """Take respond.io's open conversations per agent as the load (see ``roster.load.reconciled``); the agents
        whose load changed, with their load before and after."""
        before = load_counts(self.open, self.holds)
        self.open, self.holds = reconciled(self.open, self.holds, assigned, now, news)
        self.reconciled_at = now
        after = load_counts(self.open, self.holds)
        return {
            agent_id: (before.get(agent_id, 0), after.get(agent_id, 0))
            for agent_id in sorted(before.keys() | after.keys())
            if before.get(agent_id, 0) != after.get(agent_id, 0)
        }

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
        load = load_counts(self.open, self.holds)
        return RosterSnapshot(
            as_of=now,
            agents=[
                AgentStatus(
                    agent=a,
                    online=self.is_online(a.id, now),
                    open=len(self.open.get(a.id, ())),
                    held=load.get(a.id, 0) - len(self.open.get(a.id, ())),
                    active_until=self._active_until(a.id),
                )
                for a in self.agents
            ],
            cursors=dict(self.cursors),
            waiting=sorted(self.waiting),
            queue=[
                QueuedContact(contact_id=contact_id, pool=pool, place=place, since=self.queue[contact_id].since)
                for contact_id, pool, place in places(self.queue)
            ],
            synced_at=self.synced_at,
        )

    def _hold(self, request: ChoiceRequest, agent: Agent, request_id: str, now: datetime) -> Hold:
        """Hold ``agent`` for the contact (instead of an earlier choice for it), take the pool's round-robin turn,
        and remember the request's answer."""
        if request.user is None and request.strategy == "round_robin":
            self.cursors[pool_key(request)] = agent.id
        self.move(request.contact_id, None)  # Handoff takes it from whoever had it, as choices always have
        hold = self.holds[request.contact_id] = Hold(agent_id=agent.id, at=now, request_id=request_id)
        self.decisions[request_id] = agent.id
        while len(self.decisions) > DECISIONS_KEPT:
            del self.decisions[next(iter(self.decisions))]
        return hold

    def _enqueue(self, request: ChoiceRequest, request_id: str, nobody: Choice, now: datetime) -> Choice:
        """Queue the request (a contact already queued keeps its place) and say how many wait before it."""
        earlier = self.queue.get(request.contact_id)
        since = now if earlier is None else earlier.since
        self.queue[request.contact_id] = QueueEntry(request=request, request_id=request_id, since=since)
        pool, place = next((pool, place) for c, pool, place in places(self.queue) if c == request.contact_id)
        reason = f"{nobody.reason}; queued: {ahead_in_words(place - 1)} in {pool}"
        return nobody.model_copy(update={"queued": True, "reason": reason})

    def _online(self, now: datetime) -> set[int]:
        return {a.id for a in self.agents if self.is_online(a.id, now)}

    def _offline_since(self, agent_id: int, now: datetime) -> datetime:
        """When an agent seen online at the last look went offline: as their activity ran out, if it ran out since
        (explicit offline forgets activity); else now (explicit offline, or a setting changed)."""
        until = self._active_until(agent_id)
        if until is not None and (self.looked_at is None or until > self.looked_at):
            return until
        return now

    def _active_until(self, agent_id: int) -> datetime | None:
        seen = self.last_active.get(agent_id)
        return seen + self.config.inactivity_timeout if seen is not None else None
