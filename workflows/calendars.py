"""Business-hours calendars: when a support team is open, and how much of its time has passed.

A calendar is written by an operator in a policy (``calendars: {support-eu: {...}}``) and read by workflow
code, so everything here is pure and deterministic: no clock reads and no I/O but the zone database (the
pinned tzdata package's, ``workflows.time_zones``). Instants go in as timezone-aware datetimes (any zone) and
come out in UTC.

An instant is *within hours* when its wall-clock time in the calendar's zone falls in one of that weekday's
ranges, its local date is not a holiday and no closure covers it. Wall-clock time decides, so on a
spring-forward day the skipped hour does not count and on a fall-back day a repeated hour counts twice.
Ranges, holidays and closures are half open: a range 09:00-18:00 is open at 09:00 and closed at 18:00.

The arithmetic never steps minute by minute: time is cut into pieces in which the zone's UTC offset is
constant (found by bisecting the offset), and within a piece wall time is UTC plus that offset, so each
day's opening hours map to UTC intervals exactly, to the microsecond.
"""

import re
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Annotated, Literal, NamedTuple, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
    model_validator,
)

from workflows.time_zones import time_zone

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)
"""In ``date.weekday()`` order."""

NEVER_OPENS_AFTER = timedelta(days=2 * 366)
"""How long the arithmetic looks for an opening before giving up on a calendar (about 2 years)."""

_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DASH = "\u2013"  # an en dash, for ranges in prose


class CalendarNeverOpens(ValueError):
    """The calendar has no opening for ``NEVER_OPENS_AFTER`` (its holidays or closures cover all of it)."""


class TimeRange(NamedTuple):
    """Opening hours within one day, as offsets from local midnight; ``end`` may be 24:00."""

    start: timedelta
    end: timedelta


def _parse_clock(text: str) -> timedelta:
    match = _CLOCK.match(text.strip())
    if not match or int(match[2]) > 59 or timedelta(hours=int(match[1]), minutes=int(match[2])) > _DAY:
        raise ValueError(f"{text.strip()!r} is not a time of day; write it like 09:00 (24:00 ends a day)")
    return timedelta(hours=int(match[1]), minutes=int(match[2]))


def _format_clock(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _parse_range(value: object) -> TimeRange:
    """``"09:00-18:00"`` as a TimeRange."""
    if isinstance(value, TimeRange):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a time range; write it like 09:00-18:00")
    start, dash, end = value.partition("-")
    if not dash:
        raise ValueError(f"{value!r} is not a time range; write it like 09:00-18:00")
    opening = TimeRange(_parse_clock(start), _parse_clock(end))
    if opening.end <= opening.start:
        raise ValueError(
            f"{value!r} ends before it starts; a range stays within one day "
            "(split a night shift: mon: 22:00-24:00, tue: 00:00-06:00)"
        )
    return opening


def _format_range(opening: TimeRange, dash: str = "-") -> str:
    return f"{_format_clock(opening.start)}{dash}{_format_clock(opening.end)}"


Opening = Annotated[TimeRange, PlainSerializer(_format_range, return_type=str)]
"""One opening of a day, written ``"09:00-18:00"`` (parsed by ``Calendar.hours``, which may name a day range)."""


def _days_named(key: object) -> list[Weekday]:
    """``mon`` or an inclusive range such as ``mon-fri``, as the weekdays it covers."""
    first, dash, last = str(key).strip().lower().partition("-")
    if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
        raise ValueError(f"unknown day {key!r}; write mon, tue, wed, thu, fri, sat or sun, or a range like mon-fri")
    start, end = WEEKDAYS.index(first), WEEKDAYS.index(last) if dash else WEEKDAYS.index(first)
    if end < start:
        raise ValueError(f"{key!r} runs backwards; a day range runs from mon towards sun (write fri-sun and mon)")
    return list(WEEKDAYS[start : end + 1])


def _day_openings(key: object, value: object) -> list[TimeRange]:
    """One day's (or day range's) openings, sorted, with overlaps refused."""
    listed = value if isinstance(value, list) else [value]
    openings = sorted(_parse_range(opening) for opening in listed)
    for earlier, later in pairwise(openings):
        if later.start < earlier.end:
            raise ValueError(f"{key}: {_format_range(earlier)} overlaps {_format_range(later)}")
    return openings


def _naive_whole_minute(value: datetime) -> datetime:
    if value.tzinfo is not None:
        raise ValueError("a closure is in the calendar's local time: leave out the offset (2026-12-24 13:00)")
    if value.second or value.microsecond:
        raise ValueError("a closure starts and ends on a whole minute (2026-12-24 13:00)")
    return value


def _format_minute(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


LocalMinute = Annotated[
    datetime,
    AfterValidator(_naive_whole_minute),
    PlainSerializer(_format_minute, return_type=str),
]
"""A wall-clock time in the calendar's zone, written ``"2026-12-24 13:00"`` (a bare date means its midnight)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Closure(_Model):
    """A one-off closed period in the calendar's local time, e.g. ``{from: "2026-12-24 13:00", to: ...}``."""

    from_: LocalMinute = Field(alias="from")
    to: LocalMinute

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> "Closure":
        if self.to <= self.from_:
            raise ValueError(
                f"a closure's to: ({_format_minute(self.to)}) must be after its from: ({_format_minute(self.from_)})"
            )
        return self


Span = tuple[datetime, datetime]
"""A half-open interval of naive datetimes (wall-clock or UTC, as the name of the variable says)."""


class Calendar(_Model):
    """When a team is open: weekly hours in a time zone, minus holidays and closures.

    ``hours`` maps days (``mon`` .. ``sun``, or ranges such as ``mon-fri``) to one range ``"09:00-18:00"`` or a
    list of them; days not named are closed. It is stored per weekday with sorted ranges, so it dumps as
    ``{"mon": ["09:00-18:00"], ...}`` and validates back to the same calendar.

    ``holidays`` are local dates closed all day. A holiday on a weekend closes that day only; it does not move
    to the Monday, so list the Monday too if the business observes it there.
    """

    timezone: str = Field(description="an IANA time zone such as Europe/Berlin")
    hours: dict[Weekday, list[Opening]]
    holidays: list[date] = Field(default_factory=list)
    closures: list[Closure] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            time_zone(name)
        except ZoneInfoNotFoundError:
            raise ValueError(
                f"unknown time zone {name!r}; use an IANA name such as Europe/Berlin or America/New_York"
            ) from None
        return name

    @field_validator("hours", mode="before")
    @classmethod
    def _per_weekday(cls, value: object) -> object:
        """Day ranges expanded to weekdays, in week order, each day named once; closed days left out."""
        if not isinstance(value, Mapping):
            return value
        named_by: dict[Weekday, object] = {}
        openings: dict[Weekday, list[TimeRange]] = {}
        for key, ranges in value.items():
            day_openings = _day_openings(key, ranges)
            for day in _days_named(key):
                if day in named_by:
                    raise ValueError(f"{day} is named twice (by {named_by[day]!r} and {key!r})")
                named_by[day] = key
                openings[day] = day_openings
        if not any(openings.values()):
            raise ValueError("the calendar never opens: give hours for at least one day, e.g. mon-fri: 09:00-18:00")
        return {day: openings[day] for day in WEEKDAYS if openings.get(day)}

    @field_validator("holidays")
    @classmethod
    def _sorted_dates(cls, holidays: list[date]) -> list[date]:
        return sorted(set(holidays))

    @field_validator("closures")
    @classmethod
    def _sorted_closures(cls, closures: list[Closure]) -> list[Closure]:
        return sorted(closures, key=lambda closure: (closure.from_, closure.to))

    def is_open(self, at: datetime) -> bool:
        """Whether ``at`` is within hours."""
        wall = _utc(at, "at").astimezone(time_zone(self.timezone)).replace(tzinfo=None)
        return bool(self._open_wall_spans(wall, wall + _TICK))

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself if it is within hours, else the instant the calendar next opens."""
        start, _ = next(self._open_utc_spans(_utc(at, "at").replace(tzinfo=None)))
        return start.replace(tzinfo=UTC)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which ``duration`` of business time has passed since ``start``.

        Counting starts at ``start`` if it is within hours, else at the next opening; so a zero duration gives
        ``next_opening(start)``. When the duration runs out exactly at a closing time, that closing time is
        the answer (not the next opening).
        """
        if duration < timedelta(0):
            raise ValueError(f"business time to add must not be negative, got {duration}")
        remaining = duration
        spans = self._open_utc_spans(_utc(start, "start").replace(tzinfo=None))
        while True:  # the spans never run out: CalendarNeverOpens ends a calendar without openings
            span_start, span_end = next(spans)
            if remaining <= span_end - span_start:
                return (span_start + remaining).replace(tzinfo=UTC)
            remaining -= span_end - span_start

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much of ``[start, end)`` is within hours; zero when ``end`` is not after ``start``."""
        utc_start, utc_end = _utc(start, "start").replace(tzinfo=None), _utc(end, "end").replace(tzinfo=None)
        spans = self._open_utc_spans(utc_start, until=utc_end) if utc_start < utc_end else iter(())
        return sum((span_end - span_start for span_start, span_end in spans), timedelta(0))

    def describe(self) -> str:
        """The calendar in words, e.g. "Mon-Fri 09:00-18:00 (Europe/Berlin), 2 holidays" (with en dashes)."""
        groups: list[tuple[list[Weekday], list[TimeRange]]] = []
        for day, openings in self.hours.items():
            last = groups[-1] if groups else None
            if last and last[1] == openings and WEEKDAYS.index(last[0][-1]) + 1 == WEEKDAYS.index(day):
                last[0].append(day)
            else:
                groups.append(([day], openings))
        parts = [
            f"{_day_group_label(days)} {' and '.join(_format_range(opening, _DASH) for opening in openings)}"
            for days, openings in groups
        ]
        words = f"{', '.join(parts)} ({self.timezone})"
        for count, noun in ((len(self.holidays), "holiday"), (len(self.closures), "closure")):
            if count:
                words += f", {count} {noun}{'s' if count > 1 else ''}"
        return words

    def _open_utc_spans(self, utc_start: datetime, until: datetime | None = None) -> Iterator[Span]:
        """The open intervals from ``utc_start`` on (to ``until``, else without end), in order, as naive UTC.

        Without ``until``, raises CalendarNeverOpens after ``NEVER_OPENS_AFTER`` without an opening.
        """
        zone = time_zone(self.timezone)
        chunk_start = last_open = utc_start
        while until is None or chunk_start < until:
            chunk_end = chunk_start + _DAY if until is None else min(chunk_start + _DAY, until)
            for piece_start, piece_end, offset in _constant_offset_pieces(zone, chunk_start, chunk_end):
                for wall_start, wall_end in self._open_wall_spans(piece_start + offset, piece_end + offset):
                    last_open = wall_end - offset
                    yield wall_start - offset, wall_end - offset
            if until is None and chunk_end - last_open >= NEVER_OPENS_AFTER:
                raise CalendarNeverOpens(
                    f"the calendar ({self.describe()}) has no opening within 2 years after "
                    f"{last_open.isoformat()}Z: check its holidays and closures"
                )
            chunk_start = chunk_end

    def _open_wall_spans(self, wall_start: datetime, wall_end: datetime) -> list[Span]:
        """The open parts of the wall-clock window ``[wall_start, wall_end)``, in order."""
        spans = []
        day = wall_start.date()
        while (midnight := datetime.combine(day, time())) < wall_end:
            if day not in self.holidays:
                for opening in self.hours.get(WEEKDAYS[day.weekday()], []):
                    start, end = max(midnight + opening.start, wall_start), min(midnight + opening.end, wall_end)
                    if start < end:
                        spans.append((start, end))
            day += _DAY
        return _without(spans, [(closure.from_, closure.to) for closure in self.closures])


def _day_group_label(days: list[Weekday]) -> str:
    return days[0].title() if len(days) == 1 else f"{days[0].title()}{_DASH}{days[-1].title()}"


def _utc(instant: datetime, name: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {instant.isoformat()}")
    return instant.astimezone(UTC)


def _offset(zone: ZoneInfo, utc: datetime) -> timedelta:
    """The zone's UTC offset at the naive UTC instant ``utc``."""
    offset = utc.replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert offset is not None  # a ZoneInfo always has one
    return offset


def _constant_offset_pieces(
    zone: ZoneInfo, utc_start: datetime, utc_end: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """``[utc_start, utc_end)`` (at most a day) cut where the zone's offset changes: (start, end, offset) each.

    Zones change offset months apart, so within a day an offset that differs at the end changed once, at the
    instant found by bisection.
    """
    pieces: list[tuple[datetime, datetime, timedelta]] = []
    while utc_start < utc_end:
        offset = _offset(zone, utc_start)
        piece_end = utc_end
        if _offset(zone, utc_end - _TICK) != offset:
            unchanged, changed = utc_start, utc_end - _TICK
            while changed - unchanged > _TICK:
                middle = unchanged + (changed - unchanged) // 2
                unchanged, changed = (middle, changed) if _offset(zone, middle) == offset else (unchanged, middle)
            piece_end = changed
        pieces.append((utc_start, piece_end, offset))
        utc_start = piece_end
    return pieces


def _without(spans: list[Span], holes: list[Span]) -> list[Span]:
    """``spans`` with every hole cut out, order kept."""
    for hole_start, hole_end in holes:
        spans = [
            piece
            for start, end in spans
            for piece in ((start, min(end, hole_start)), (max(start, hole_end), end))
            if piece[0] < piece[1]
        ]
    return spans
