"""The escalation workflow's input, signals, query state and result."""

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from models.agents import Agent, AgentWentOffline, Candidate, Choice
from models.conversation import Reply, TakeRequest
from models.timestamps import SECOND
from workflows.policy import Policy, Step


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Outcome(StrEnum):
    REPLIED = "replied"
    CLOSED = "closed"
    ESCALATED = "escalated"
    REASSIGNED_BY_HUMAN = "reassigned_by_human"
    NO_ELIGIBLE_AGENT = "no_eligible_agent"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    REOPENED = "reopened"
    """A newer opening arrived; this run handed over to a fresh one without acting."""
    FAILED = "failed"
    """respond.io refused a call for good (400, 404, ...): the detail says which and why."""


class Assignment(_Model):
    """One assignment Handoff made, with the routing's reasons."""

    agent: Agent
    assigned_at: datetime
    level: int = Field(description="0 for the first assignment, then one more per reassignment")
    reason: str
    candidates: list[Candidate] = []
    by_person: bool = False
    """Made by a person or a respond.io rule (``applies_to: every_assignment`` times it too), not by Handoff."""


class PendingStep(_Model):
    """A policy step still to run, and where it sits in the policy (e.g. ``steps.2.branch.then.0``)."""

    where: str
    step: Step


class Finding(_Model):
    """What the last condition checked found, and so the outcome if the policy ends now."""

    outcome: Outcome
    detail: str


class Carried(_Model):
    """What a run hands to the next when it continues as new: the steps left and everything said so far."""

    remaining: list[PendingStep]
    history: list[Assignment] = []
    reply: Reply | None = None
    finding: Finding | None = None
    contact_name: str = ""
    last_wait: timedelta = timedelta(0)
    last_wait_timed: tuple[datetime, timedelta] | None = None
    ended_early: list[str] = []
    ran_out_at: datetime | None = None
    """The deadline of the last wait, if it ran out and nobody was assigned since (for the lateness metric)."""
    last_wait_calendar: str | None = None
    """The calendar whose business time the last wait that ran out counted, if it counted business time only."""
    evidence: list[str] = []
    """What webhooks or the roster said and respond.io has not been asked about yet."""
    heard_at: dict[int, datetime] = {}
    """When respond.io said each agent was assigned, by agent id, for reassignments not yet checked."""
    went_offline: AgentWentOffline | None = None
    unassigned: bool = False
    closed: bool = False
    requeue: TakeRequest | None = None
    """A move from an assignee who went offline, waiting in the roster's queue."""
    queued: bool = False
    offer: Choice | None = None
    offline_elsewhere: dict[int, AgentWentOffline] = {}
    """The roster's notices about agents who did not have the conversation yet (see ``_went_offline_meanwhile``)."""


class EscalationRequest(_Model):
    contact_id: int
    opening: str = Field(description="identifies this opening, e.g. its openedTime or the event id")
    opened_at: datetime
    policy: Policy
    carried: Carried | None = None
    """Set when a run continues as new in the middle of its policy; None when it starts from the opening."""


class Status(StrEnum):
    """``HandoffStatus`` while an escalation runs; once it has finished, its ``Outcome``."""

    STARTING = "starting"
    ASSIGNING = "assigning"
    WAITING_FOR_AGENT = "waiting_for_agent"
    ASSIGNED = "assigned"
    WAITING = "waiting"
    CHECKING = "checking"
    ESCALATED = "escalated"
    BLOCKED = "blocked"
    WATCHING = "watching"


STATUSES: dict[str, str] = {
    Status.STARTING: "started; its first step has not run yet",
    Status.ASSIGNING: "choosing and assigning an agent",
    Status.WAITING_FOR_AGENT: "nobody is eligible (e.g. everyone offline): queued for an agent until the deadline;"
    " or the assign step waits for its calendar's hours to open",
    Status.ASSIGNED: "assigned for the first time",
    Status.WAITING: "waiting for the assignee's reply until the deadline",
    Status.CHECKING: "checking the policy's conditions against respond.io",
    Status.ESCALATED: "reassigned by Handoff; also the outcome when the policy ends after a reassignment",
    Status.WATCHING: "the steps have run; watching for a reassignment (applies_to: every_assignment) or the assignee"
    " going offline (requeue_when_offline) until the conversation closes",
    Status.BLOCKED: "respond.io refuses the API token (401/403); retries at least every minute until it works",
    Outcome.REPLIED: "finished: a person replied after the assignment",
    Outcome.CLOSED: "finished: the conversation was closed",
    Outcome.REASSIGNED_BY_HUMAN: "finished: a person reassigned the conversation; Handoff left it",
    Outcome.NO_ELIGIBLE_AGENT: "finished: nobody was eligible before the assign step's timeout",
    Outcome.CANCELLED: "finished: an operator cancelled it",
    Outcome.COMPLETED: "finished: the policy ran to its end",
    Outcome.REOPENED: "finished: the conversation was reopened, a new run took over",
    Outcome.FAILED: "finished: respond.io refused a call for good (the detail says which and why)",
}
"""Every ``HandoffStatus`` value and what it means, for the CLI's ``--status`` and the README."""

TIMED_STATUSES = {Status.WAITING, Status.WAITING_FOR_AGENT}
"""The statuses with a running timer, whose end is ``HandoffDeadline``."""


MEMO_OPENING = "opening"
MEMO_OPENED_AT = "opened_at"


def opening_memo(request: "EscalationRequest") -> dict[str, str]:
    """What a run keeps in its memo, so a finished run still tells which opening it escalated."""
    return {MEMO_OPENING: request.opening, MEMO_OPENED_AT: request.opened_at.isoformat()}


class EscalationState(_Model):
    """What the ``state`` query answers: where the escalation is and what it has done."""

    contact_id: int
    policy: str
    step: str
    assignee: Agent | None
    level: int
    deadline: datetime | None
    history: list[Assignment]
    outcome: Outcome | None
    detail: str | None = Field(default=None, description="why it ended, once it has")
    ended_early: list[str] = Field(default=[], description="the reasons operators gave to end a wait now")


class EscalationResult(_Model):
    outcome: Outcome
    detail: str
    contact_id: int
    opened_at: datetime
    finished_at: datetime
    assignee: Agent | None
    level: int
    history: list[Assignment]
    reply: Reply | None = None
    """The first human reply the escalation saw (to the assignment it was timing), if any."""


class MessageSent(_Model):
    """Signal: an outgoing message was sent in the conversation."""

    message_id: int | None = None
    sender_source: str
    user_id: int | None = None
    sent_at: datetime
    sent_precision: timedelta = SECOND
    """How precise ``sent_at`` is (respond.io may write whole seconds); absent from older signals."""


class ConversationClosed(_Model):
    closed_at: datetime


class AssigneeChanged(_Model):
    assignee_id: int | None
    changed_at: datetime
