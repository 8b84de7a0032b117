"""The escalation workflow's metrics, recorded through ``workflow.metric_meter()``.

That meter records nothing while a history is replayed, so a run replayed on another worker
never counts twice; recording creates no command, so no patch is needed around it.
"""

from datetime import datetime

from temporalio import workflow

from models.conversation import Reply
from models.metrics import Metric
from workflows.escalation_types import Assignment, Outcome

STARTED = Metric("handoff_escalations_started", "counter", "escalations started (one per opening)", ("policy",))
FINISHED = Metric("handoff_escalations_finished", "counter", "escalations finished, by outcome", ("policy", "outcome"))
LATENESS = Metric(
    "handoff_reassignment_lateness_seconds",
    "histogram",
    "from the deadline of the wait that ran out to the reassignment (level 1 and up)",
    ("policy", "level"),
    (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)
TO_REPLY = Metric(
    "handoff_assignment_to_reply_seconds",
    "histogram",
    "from an assignment to the first human reply to it (level 0 is the first assignment)",
    ("policy", "level"),
    (5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400),
)
ALL = (STARTED, FINISHED, LATENESS, TO_REPLY)


class EscalationMetrics:
    """One escalation run's metrics; its few notes are workflow state, the same on every replay."""

    def __init__(self, policy: str, ran_out_at: datetime | None = None):
        self._policy = policy
        self._ran_out_at = ran_out_at
        """The deadline of the last wait, if it ran out and no assignment has been made since (a run continued
        as new gets it from the run before)."""
        self._replied_levels: set[int] = set()

    @property
    def ran_out_at(self) -> datetime | None:
        return self._ran_out_at

    def started(self) -> None:
        STARTED.counter(workflow.metric_meter()).add(1, {"policy": self._policy})

    def finished(self, outcome: Outcome) -> None:
        FINISHED.counter(workflow.metric_meter()).add(1, {"policy": self._policy, "outcome": outcome.value})

    def wait_ended(self, ran_out_at: datetime | None) -> None:
        """A wait ended: at its deadline (``ran_out_at``), or early (None: a reply, a close, an operator)."""
        self._ran_out_at = ran_out_at

    def assigned(self, level: int, at: datetime) -> None:
        """An assignment was made; a reassignment after a wait that ran out records how late it came."""
        ran_out_at, self._ran_out_at = self._ran_out_at, None
        if level > 0 and ran_out_at is not None:
            late = max((at - ran_out_at).total_seconds(), 0.0)
            LATENESS.histogram(workflow.metric_meter()).record(late, self._labels(level))

    def replied(self, assignment: Assignment, reply: Reply) -> None:
        """A human reply to ``assignment`` was found; only the first per assignment counts."""
        if assignment.level in self._replied_levels:
            return
        self._replied_levels.add(assignment.level)
        # The reply may be up to the clock allowance before the assignment (models.replies): that is no time at all.
        seconds = max((reply.sent_at - assignment.assigned_at).total_seconds(), 0.0)
        TO_REPLY.histogram(workflow.metric_meter()).record(seconds, self._labels(assignment.level))

    def _labels(self, level: int) -> dict[str, str]:
        return {"policy": self._policy, "level": str(level)}
