"""A policy as a timeline a support lead can read: when each step runs, counted from the conversation's opening.

Offsets add up through waits. Business time is not wall-clock time, so an offset after a business wait says so
("15 min + 15 min of support-eu's hours") rather than pretending to a precision it does not have; a step
that can run at several times lists them ("15 min or 30 min", or "… or later" when that grows long), and a
repeated step lists each time round.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from models.durations import spoken_duration
from workflows.policy import Policy, Source, Step
from workflows.policy_words import OTHERWISE, business_time, one_line, step_words, timeout_words

INDENT = "  "
LONGEST_COLUMN = 32
"""A time longer than this is written on a line of its own, above its step."""

SOURCE_WORDS: dict[Source, str] = {
    "contact": "a contact",
    "user": "an agent",
    "workflow": "a respond.io workflow",
    "api": "the API",
    "zapier": "Zapier",
    "make": "Make",
    "ctc_ads": "a click-to-chat ad",
}


@dataclass(frozen=True)
class _Term:
    """A stretch of time: wall-clock (no calendar), business time of a calendar, or (no length) until it next opens."""

    length: timedelta | None
    calendar: str | None = None

    def words(self) -> str:
        if self.length is None:
            return f"{self.calendar}'s next opening"
        return business_time(self.length, self.calendar) if self.calendar else spoken_duration(self.length)


Clock = tuple[_Term, ...]
"""A time since the opening, as the sum of its terms."""

Moments = tuple[Clock, ...]
"""The times a step may run at, one per path that reaches it (none: no path does)."""


def _later(clock: Clock, term: _Term) -> Clock:
    """``clock`` plus ``term``: lengths of the same kind add up, and business time counts from the next opening."""
    last = clock[-1] if clock else None
    if last is not None and last.calendar == term.calendar:
        if term.length is None:  # after a calendar's business time (or its opening), it is open
            return clock
        if last.length is None:  # its business time counts from its opening
            return (*clock[:-1], term)
        return (*clock[:-1], _Term(last.length + term.length, term.calendar))
    return (*clock, term)


def _all_later(moments: Moments, term: _Term) -> Moments:
    return _distinct(_later(clock, term) for clock in moments)


def _distinct(clocks: Iterable[Clock]) -> Moments:
    return tuple(dict.fromkeys(clocks))


@dataclass(frozen=True)
class Row:
    """One line of the timeline: when (one ``Moments`` per time it runs), how deep it is nested, and what it does."""

    at: tuple[Moments, ...]
    depth: int
    text: str
    continues: bool = False
    """Part of the step above (its else: steps): shown without a time unless the time differs."""

    def when(self) -> str:
        """E.g. ``at 15 min``, ``at 15 min or 30 min``, ``at 10 min, 20 min`` (a repeated step), or ``never``."""
        times = list(dict.fromkeys(_moments_words(moments) for moments in self.at if moments))
        if not times:
            return "never"
        listed = f"at {', '.join(times)}"
        if len(listed) <= LONGEST_COLUMN or len(times) == 1:
            return listed
        return f"at {times[0]} the first time ({len(times)} times in all)"


def _moments_words(moments: Moments) -> str:
    """E.g. ``15 min or 30 min``; alternatives too long to list read as the earliest ``or later``."""
    listed = " or ".join(_clock_words(clock) for clock in moments)
    if len(moments) == 1 or len(listed) <= LONGEST_COLUMN:
        return listed
    return f"{_clock_words(min(moments, key=_rough_length))} or later"


def _rough_length(clock: Clock) -> timedelta:
    """A clock's terms added up as if all were wall-clock time (an opening as none): to find the earliest."""
    return sum((term.length or timedelta(0) for term in clock), timedelta(0))


def _clock_words(clock: Clock) -> str:
    """E.g. ``15 min``, or ``15 min, then support-eu's next opening + 10 min``."""
    words = ""
    for term in clock:
        joiner = ", then " if term.length is None else " + "
        words += (joiner if words else "") + term.words()
    return words or "0"


def explanation(policy: Policy) -> list[str]:
    """The whole explanation: the header, then the timeline, as plain lines."""
    return [*header(policy), *timeline_lines(timeline(policy))]


def header(policy: Policy) -> list[str]:
    """Whom the policy times and what it does besides its steps: calendars and moves from offline agents."""
    lines = [f"Policy {policy.name} ({_applies_to(policy)})"]
    if policy.calendars:
        lines.append("calendars:")
        lines.extend(f"{INDENT}{name}: {calendar.describe()}" for name, calendar in policy.calendars.items())
    requeue = policy.requeue_when_offline
    if requeue is not None:
        who = f"an agent of team {' or '.join(requeue.teams)}" if requeue.teams else "any agent"
        pool = "the same team" if requeue.teams else "the workspace"
        most = f", at most {requeue.max_open} open" if requeue.max_open is not None else ""
        lines.append(
            f"when {who} goes offline (explicitly or by inactivity), their conversations with no reply since the"
            f" assignment move to an online agent of {pool} by {requeue.logic.replace('_', ' ')}{most}, with the"
            f" comment “{one_line(requeue.comment)}”"
        )
    return lines


def _applies_to(policy: Policy) -> str:
    sources = [SOURCE_WORDS[source] for source in policy.trigger.sources]
    opened_by = sources[0] if len(sources) == 1 else f"{', '.join(sources[:-1])} or {sources[-1]}"
    if not policy.every_assignment:
        return f"times the first assignment of each conversation opened by {opened_by}"
    first_assign = policy.first_assign
    again = "the steps run again" if first_assign is None else f"the steps after steps.{first_assign} run again"
    return (
        f"times every assignment of each conversation opened by {opened_by}: when a person or a respond.io rule"
        f" reassigns it, {again} for the new assignee, until the conversation closes"
    )


def timeline(policy: Policy) -> list[Row]:
    """Every step once, in order, with the times it runs at."""
    rows, _ = _steps(policy.steps, ((),), 0)
    return rows


def timeline_lines(rows: list[Row]) -> list[str]:
    """Rows as aligned text: a nested step shows its time only where it differs from the line above, and a long
    time stands on a line of its own."""
    times: list[str] = []
    previous = None
    for row in rows:
        when = row.when()
        times.append("" if (row.depth or row.continues) and when == previous else when)
        previous = when
    width = max((len(when) for when in times if len(when) <= LONGEST_COLUMN), default=0) + 3
    lines = []
    for when, row in zip(times, rows, strict=True):
        if len(when) > LONGEST_COLUMN:
            lines.append(when)
        column = when if len(when) <= LONGEST_COLUMN else ""
        lines.append(f"{column:<{width}}{INDENT * row.depth}{row.text}")
    return lines


def _steps(steps: list[Step], start: Moments, depth: int) -> tuple[list[Row], Moments]:
    rows: list[Row] = []
    now = start
    for step in steps:
        step_rows, now = _step(step, now, depth)
        rows.extend(step_rows)
    return rows, now


def _step(step: Step, now: Moments, depth: int) -> tuple[list[Row], Moments]:
    """The rows of one step and the times after it."""
    line = Row((now,), depth, step_words(step))
    if step.assign is not None:
        assign = step.assign
        found = _all_later(now, _Term(None, assign.within_hours)) if assign.within_hours else now
        if not assign.timeout.steps:
            return [line], found
        given_up = _all_later(found, _Term(assign.timeout.after))
        nested, after_timeout = _steps(assign.timeout.steps, given_up, depth + 2)
        return [line, Row((given_up,), depth + 1, timeout_words(assign)), *nested], _distinct((*found, *after_timeout))
    if step.wait is not None:
        waited = Row((now,), depth, f"{step_words(step)} for a reply")
        return [waited], _all_later(now, _Term(step.wait_for, step.wait_calendar))
    if step.branch is not None:
        then, after_then = _steps(step.branch.then, now, depth + 1)
        if not step.branch.else_:
            return [line, *then], _distinct((*after_then, *now))
        else_, after_else = _steps(step.branch.else_, now, depth + 1)
        otherwise = Row((now,), depth, OTHERWISE, continues=True)
        return [line, *then, otherwise, *else_], _distinct((*after_then, *after_else))
    if step.repeat is not None:
        return _repeat(line, step.repeat.steps, step.repeat.times, now, depth)
    return [line], () if step.close is not None else now


def _repeat(line: Row, steps: list[Step], times: int, now: Moments, depth: int) -> tuple[list[Row], Moments]:
    """The repeated steps once each, with the times of every time round."""
    rounds = []
    for _ in range(times):
        rows, now = _steps(steps, now, depth + 1)
        rounds.append(rows)
    merged = [
        replace(same_row[0], at=tuple(moments for row in same_row for moments in row.at))
        for same_row in zip(*rounds, strict=True)
    ]
    return [line, *merged], now
