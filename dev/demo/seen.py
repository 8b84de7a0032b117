"""What the demo saw: each conversation from the inbox's side and Handoff's, and the agents it set offline."""

import time
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from demo.scenario import Customer
from workflows.escalation_types import Assignment, EscalationState, Outcome


@dataclass(frozen=True)
class InboxAgent:
    """An agent as the sandbox inbox lists them."""

    id: int
    first_name: str
    name: str

    @classmethod
    def listed(cls, agent: dict[str, Any]) -> "InboxAgent":
        return cls(agent["id"], agent["firstName"], f"{agent['firstName']} {agent['lastName']}")


@dataclass
class Row:
    """One conversation as the demo last saw it: the inbox's side and Handoff's side."""

    customer: Customer
    assignee: InboxAgent | None = None
    assignees: list[InboxAgent] = field(default_factory=list)
    """Everyone the inbox gave the conversation to, in order, whether Handoff or a person did."""
    comments: int = 0
    state: EscalationState | None = None

    @property
    def finished(self) -> bool:
        return self.state is not None and self.state.outcome is not None


@dataclass(frozen=True)
class WentOffline:
    """An agent the story set offline while their conversations were waiting."""

    agent: InboxAgent
    at: datetime
    """On the wall clock, to compare with the times Handoff assigned at."""
    into_story: float
    """Seconds since the story began."""

    def move_of(self, row: Row) -> Assignment | None:
        """The assignment by which Handoff took the conversation from this agent once they were offline."""
        pairs = pairwise(row.state.history if row.state else [])
        return next(
            (after for before, after in pairs if before.agent.id == self.agent.id and after.assigned_at >= self.at),
            None,
        )


@dataclass
class Story:
    """Every conversation of the story, and who went offline during it."""

    rows: dict[int, Row]
    began: float = field(default_factory=time.monotonic)
    went_offline: list[WentOffline] = field(default_factory=list)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def moved(self, went: WentOffline) -> list[tuple[Row, Assignment]]:
        """The conversations Handoff moved from the agent, with the assignment that moved each."""
        moves = ((row, went.move_of(row)) for row in self.rows.values())
        return [(row, move) for row, move in moves if move is not None]

    def stayed(self, went: WentOffline) -> list[Row]:
        """The conversations the agent had answered: still theirs in the inbox."""
        return [
            row
            for row in self.rows.values()
            if row.state
            and row.state.outcome == Outcome.REPLIED
            and row.assignee is not None
            and row.assignee.id == went.agent.id
        ]
