"""What `handoff report` counts: finished escalations grouped by policy, team and agent (pure, no Temporal).

"Escalated" counts every conversation Handoff reassigned at least once, by the highest level it reached;
the other counts say how each conversation ended. So one escalated and then answered at level 1 counts
as escalated and as replied in time. Team and agent are those of the first assignment (level 0): the
person the conversation escalated away from.
"""

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from models.agents import Agent
from workflows.escalation_types import EscalationResult, Outcome

FAILED = "failed"
"""How a run ended that has no result: it failed, was terminated or timed out."""
ENDINGS = [o.value for o in Outcome if o not in (Outcome.ESCALATED, Outcome.REOPENED)]
"""How a conversation can end, as the report shows it. Escalated is counted by level instead; a reopened run
hands over to its successor (continue-as-new) and is never counted."""
if FAILED not in ENDINGS:  # DESIGN.md plans a `failed` outcome too; both count in one column then
    ENDINGS.append(FAILED)

UNKNOWN = ("(unknown)", "(unknown: no result)")
NOBODY = ("(nobody)", "(nobody assigned)")
NO_TEAM = ("(no team)", "(no team)")


@dataclass(frozen=True)
class Ending:
    """One finished escalation run, as the report reads it."""

    policy: str
    ended: str
    """An Outcome's value, or FAILED."""
    first_assignee: Agent | None = None
    known: bool = True
    """False when the run left no result (failed, terminated, timed out, cancelled through Temporal)."""
    level: int = 0
    first_reply: timedelta | None = None

    @staticmethod
    def of_result(policy: str, result: EscalationResult) -> "Ending":
        return Ending(
            policy=policy,
            ended=result.outcome.value,
            first_assignee=result.history[0].agent if result.history else None,
            level=result.level,
            first_reply=time_to_first_reply(result),
        )

    @staticmethod
    def without_result(policy: str, ended: str) -> "Ending":
        return Ending(policy=policy, ended=ended, known=False)


def time_to_first_reply(result: EscalationResult) -> timedelta | None:
    """From the assignment the first human reply answered (the last one made at or before it) to the reply."""
    if result.reply is None or not result.history:
        return None
    sent_at = result.reply.sent_at
    answered = [a for a in result.history if a.assigned_at <= sent_at] or result.history[:1]
    # A reply may count within the clock allowance just before its assignment (models/replies.py): 0, not negative.
    return max(sent_at - answered[-1].assigned_at, timedelta(0))


Key = tuple[str, str]
"""A group's stable key and the name shown for it."""


def by_policy(ending: Ending) -> Key:
    return (ending.policy, ending.policy)


def by_team(ending: Ending) -> Key:
    if not ending.known:
        return UNKNOWN
    if ending.first_assignee is None:
        return NOBODY
    team = ending.first_assignee.team
    return (team, team) if team else NO_TEAM


def by_agent(ending: Ending) -> Key:
    if not ending.known:
        return UNKNOWN
    agent = ending.first_assignee
    return (str(agent.id), agent.name) if agent else NOBODY


@dataclass
class Tally:
    """The counts of one group: a policy, a team or an agent."""

    key: str
    name: str
    conversations: int = 0
    ended: Counter[str] = field(default_factory=Counter)
    escalated_by_level: Counter[int] = field(default_factory=Counter)
    """The highest level reached, for each conversation Handoff reassigned."""
    first_replies: list[timedelta] = field(default_factory=list)

    def add(self, ending: Ending) -> None:
        self.conversations += 1
        self.ended[ending.ended] += 1
        if ending.level > 0:
            self.escalated_by_level[ending.level] += 1
        if ending.first_reply is not None:
            self.first_replies.append(ending.first_reply)

    @property
    def escalated(self) -> int:
        return sum(self.escalated_by_level.values())

    @property
    def escalated_share(self) -> float:
        return self.escalated / self.conversations if self.conversations else 0.0

    @property
    def median_first_reply(self) -> timedelta | None:
        if not self.first_replies:
            return None
        ordered, middle = sorted(self.first_replies), len(self.first_replies) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    @property
    def p90_first_reply(self) -> timedelta | None:
        """Nearest rank: the smallest time at least 90% of the replies were as fast as."""
        if not self.first_replies:
            return None
        ordered = sorted(self.first_replies)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]


def tally(endings: Iterable[Ending], key: Callable[[Ending], Key]) -> list[Tally]:
    """One tally per group, most conversations first, then by name."""
    tallies: dict[str, Tally] = {}
    for ending in endings:
        group, name = key(ending)
        tallies.setdefault(group, Tally(group, name)).add(ending)
    return sorted(tallies.values(), key=lambda t: (-t.conversations, t.name))


def escalated_most(agents: list[Tally], top: int = 5) -> list[Tally]:
    """The agents whose conversations escalated away from them most often (count, then share)."""
    real = [t for t in agents if t.escalated and (t.key, t.name) not in (UNKNOWN, NOBODY)]
    return sorted(real, key=lambda t: (-t.escalated, -t.escalated_share, t.name))[:top]


@dataclass(frozen=True)
class Report:
    since: datetime
    until: datetime
    retention: timedelta | None
    """How long the namespace keeps finished workflows: the report cannot see further back."""
    still_running: int
    policies: list[Tally]
    teams: list[Tally]
    agents: list[Tally]

    @staticmethod
    def of(
        endings: list[Ending], since: datetime, until: datetime, retention: timedelta | None, still_running: int
    ) -> "Report":
        return Report(
            since,
            until,
            retention,
            still_running,
            tally(endings, by_policy),
            tally(endings, by_team),
            tally(endings, by_agent),
        )

    @property
    def conversations(self) -> int:
        return sum(t.conversations for t in self.policies)

    @property
    def escalated_most(self) -> list[Tally]:
        return escalated_most(self.agents)

    @property
    def sees_the_whole_period(self) -> bool:
        return self.retention is None or self.until - self.retention <= self.since

    @property
    def levels(self) -> int:
        """The highest escalation level any conversation reached (at least 1, for a steady CSV header)."""
        return max((level for t in self.policies for level in t.escalated_by_level), default=1)
