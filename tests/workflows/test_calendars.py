"""Business-hours calendars: worked examples, validation with field paths, property tests against a
minute-stepping reference, and a run inside the workflow sandbox."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError
from temporalio import workflow

from workflows.calendars import Calendar, CalendarNeverOpens

with workflow.unsafe.imports_passed_through():  # the workflow sandbox imports this module again, see below
    import pytest
    from hypothesis import given, settings
    from hypothesis import strategies as st


BERLIN = ZoneInfo("Europe/Berlin")
MINUTE = timedelta(minutes=1)

OFFICE = {"timezone": "Europe/Berlin", "hours": {"mon-fri": "09:00-18:00"}}
"""Berlin, Monday to Friday 09:00-18:00."""


def office(**changes: object) -> Calendar:
    return Calendar.model_validate(OFFICE | changes)


def berlin(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=BERLIN)


# Worked examples


def test_a_wait_begun_at_friday_closing_ends_on_monday_morning():
    assert office().add(berlin(2026, 3, 6, 17, 55), timedelta(minutes=15)) == berlin(2026, 3, 9, 9, 10)


def test_a_wait_begun_at_night_counts_from_the_opening():
    assert office().add(berlin(2026, 3, 10, 2, 0), timedelta(minutes=30)) == berlin(2026, 3, 10, 9, 30)


def test_a_holiday_on_monday_moves_the_end_to_tuesday():
    calendar = office(holidays=[date(2026, 3, 9)])
    assert calendar.add(berlin(2026, 3, 6, 17, 55), timedelta(minutes=15)) == berlin(2026, 3, 10, 9, 10)
    assert not calendar.is_open(berlin(2026, 3, 9, 12, 0))


def test_a_holiday_on_a_saturday_changes_nothing_for_a_weekday_calendar():
    calendar = office(holidays=["2026-03-07"])
    assert calendar.add(berlin(2026, 3, 6, 17, 55), timedelta(minutes=15)) == berlin(2026, 3, 9, 9, 10)


def test_a_closure_shuts_part_of_a_day():
    calendar = office(closures=[{"from": "2026-03-09 09:00", "to": "2026-03-09 12:30"}])
    assert calendar.add(berlin(2026, 3, 6, 17, 55), timedelta(minutes=15)) == berlin(2026, 3, 9, 12, 40)
    assert not calendar.is_open(berlin(2026, 3, 9, 12, 29))
    assert calendar.is_open(berlin(2026, 3, 9, 12, 30))


def test_time_running_out_at_closing_ends_at_closing():
    assert office().add(berlin(2026, 3, 9, 9, 0), timedelta(hours=9)) == berlin(2026, 3, 9, 18, 0)
    assert not office().is_open(berlin(2026, 3, 9, 18, 0))
    assert office().next_opening(berlin(2026, 3, 9, 18, 0)) == berlin(2026, 3, 10, 9, 0)


def test_zero_business_time_is_the_next_open_instant():
    open_at = berlin(2026, 3, 9, 10, 0)
    assert office().add(open_at, timedelta(0)) == office().next_opening(open_at) == open_at
    assert office().add(berlin(2026, 3, 6, 18, 0), timedelta(0)) == berlin(2026, 3, 9, 9, 0)


def test_arithmetic_is_exact_to_the_microsecond_and_answers_in_utc():
    start = berlin(2026, 3, 9, 9, 0, 0, 1)
    end = office().add(start, timedelta(hours=9) - timedelta(microseconds=1))
    assert end == berlin(2026, 3, 9, 18, 0) and end.tzinfo is UTC
    assert office().business_time_between(start, end) == timedelta(hours=9) - timedelta(microseconds=1)
    assert office().next_opening(start).tzinfo is UTC


def test_business_time_between_counts_only_open_time():
    assert office().business_time_between(berlin(2026, 3, 6, 17, 55), berlin(2026, 3, 9, 9, 10)) == timedelta(
        minutes=15
    )
    assert office().business_time_between(berlin(2026, 3, 9, 9, 10), berlin(2026, 3, 6, 17, 55)) == timedelta(0)


@pytest.mark.parametrize(
    ("zone", "spring_forward", "fall_back"),
    [
        ("Europe/Berlin", date(2026, 3, 29), date(2026, 10, 25)),
        ("America/New_York", date(2026, 3, 8), date(2026, 11, 1)),
    ],
)
def test_daylight_saving_days_count_wall_clock_hours(zone, spring_forward, fall_back):
    night = Calendar.model_validate({"timezone": zone, "hours": {"mon-sun": "00:00-04:00"}})

    def midnight(day: date) -> datetime:
        return datetime.combine(day, datetime.min.time(), ZoneInfo(zone))

    assert night.business_time_between(midnight(spring_forward), midnight(spring_forward + timedelta(1))) == (
        timedelta(hours=3)
    )
    assert night.business_time_between(midnight(fall_back), midnight(fall_back + timedelta(1))) == timedelta(hours=5)
    # Three hours from midnight end at 04:00 on both days: one because 02:00-03:00 is skipped, the other because
    # 02:00-03:00 (New York: 01:00-02:00) comes twice and so 4 h 30 min end at 03:30.
    assert night.add(midnight(spring_forward), timedelta(hours=3)) == midnight(spring_forward).replace(hour=4)
    assert night.add(midnight(fall_back), timedelta(hours=4, minutes=30)) == midnight(fall_back).replace(
        hour=3, minute=30
    )


def test_the_repeated_hour_is_open_both_times():
    night = Calendar.model_validate({"timezone": "Europe/Berlin", "hours": {"sun": "02:00-03:00"}})
    first, second = datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert first.astimezone(BERLIN).time() == second.astimezone(BERLIN).time()
    assert night.is_open(first) and night.is_open(second)
    assert not night.is_open(datetime(2026, 10, 25, 2, 30, tzinfo=UTC))


def test_a_calendar_that_never_opens_again_says_so():
    closed = office(closures=[{"from": "2026-01-01 00:00", "to": "2031-01-01 00:00"}])
    with pytest.raises(CalendarNeverOpens, match="no opening within 2 years"):
        closed.add(berlin(2026, 6, 1, 12, 0), timedelta(minutes=15))
    with pytest.raises(CalendarNeverOpens):
        closed.next_opening(berlin(2026, 6, 1, 12, 0))
    assert closed.business_time_between(berlin(2026, 6, 1), berlin(2028, 6, 1)) == timedelta(0)
    assert closed.next_opening(berlin(2030, 6, 1)) == berlin(2031, 1, 1, 9, 0)


def test_instants_must_be_timezone_aware_and_business_time_not_negative():
    with pytest.raises(ValueError, match="timezone-aware"):
        office().is_open(datetime(2026, 3, 9, 12, 0))
    with pytest.raises(ValueError, match="negative"):
        office().add(berlin(2026, 3, 6, 17, 55), timedelta(minutes=-1))


# The model: what operators write, how it is kept, and how it is described

SUPPORT_EU = {
    "timezone": "Europe/Berlin",
    "hours": {"mon-fri": "09:00-18:00", "sat": ["13:00-15:00", "10:00-12:00"]},
    "holidays": [date(2026, 12, 26), date(2026, 12, 25)],
    "closures": [{"from": "2026-12-24 13:00", "to": "2026-12-27 00:00"}],
}


def test_a_calendar_is_kept_per_weekday_and_survives_workflow_history():
    calendar = Calendar.model_validate(SUPPORT_EU)
    dumped = calendar.model_dump(mode="json")
    assert dumped == {
        "timezone": "Europe/Berlin",
        "hours": {day: ["09:00-18:00"] for day in ("mon", "tue", "wed", "thu", "fri")}
        | {"sat": ["10:00-12:00", "13:00-15:00"]},
        "holidays": ["2026-12-25", "2026-12-26"],
        "closures": [{"from": "2026-12-24 13:00", "to": "2026-12-27 00:00"}],
    }
    assert Calendar.model_validate(dumped) == calendar
    assert Calendar.model_validate_json(calendar.model_dump_json()) == calendar


def test_a_calendar_describes_itself():
    assert Calendar.model_validate(SUPPORT_EU).describe() == (
        "Mon\u2013Fri 09:00\u201318:00, Sat 10:00\u201312:00 and 13:00\u201315:00 (Europe/Berlin), "
        "2 holidays, 1 closure"
    )
    assert office(hours={"mon": "09:00-17:00", "wed": "09:00-17:00"}).describe() == (
        "Mon 09:00\u201317:00, Wed 09:00\u201317:00 (Europe/Berlin)"
    )


class PolicyLike(BaseModel):
    calendars: dict[str, Calendar]


@pytest.mark.parametrize(
    ("changes", "where", "message"),
    [
        (
            {"timezone": "Europe/Berln"},
            "timezone",
            "unknown time zone 'Europe/Berln'; use an IANA name such as Europe/Berlin",
        ),
        ({"hours": {"sat": ["10:00-12:00", "11:30-13:00"]}}, "hours", "sat: 10:00-12:00 overlaps 11:30-13:00"),
        ({"hours": {"mon-fri": "09:00-18:00", "fri": "10:00-12:00"}}, "hours", "fri is named twice"),
        ({"hours": {}}, "hours", "the calendar never opens"),
        ({"hours": {"sat": []}}, "hours", "the calendar never opens"),
        ({"hours": {"mon": "18:00-09:00"}}, "hours", "ends before it starts"),
        ({"hours": {"mon": "09:00-24:30"}}, "hours", "'24:30' is not a time of day"),
        ({"hours": {"mo": "09:00-18:00"}}, "hours", "unknown day 'mo'"),
        ({"hours": {"fri-mon": "09:00-18:00"}}, "hours", "'fri-mon' runs backwards"),
        (
            {"closures": [{"from": "2026-12-24 13:00", "to": "2026-12-24 12:00"}]},
            "closures.0",
            "must be after its from",
        ),
        ({"closures": [{"from": "2026-12-24 13:00:30", "to": "2026-12-25"}]}, "closures.0.from", "whole minute"),
        ({"closures": [{"from": "2026-12-24T13:00+01:00", "to": "2026-12-25"}]}, "closures.0.from", "local time"),
    ],
)
def test_mistakes_are_named_at_their_path(changes, where, message):
    with pytest.raises(ValidationError) as raised:
        PolicyLike.model_validate({"calendars": {"support-eu": OFFICE | changes}})
    problems = {".".join(map(str, error["loc"])): error["msg"] for error in raised.value.errors()}
    assert message in problems[f"calendars.support-eu.{where}"], problems


def test_hours_open_until_midnight_and_a_holiday_on_a_weekend_closes_only_that_day():
    calendar = office(hours={"sat-sun": "20:00-24:00"}, holidays=["2026-03-07"])
    assert calendar.model_dump(mode="json")["hours"] == {"sat": ["20:00-24:00"], "sun": ["20:00-24:00"]}
    assert calendar.next_opening(berlin(2026, 3, 6, 12, 0)) == berlin(2026, 3, 8, 20, 0)
    assert calendar.add(berlin(2026, 3, 8, 23, 0), timedelta(hours=2)) == berlin(2026, 3, 14, 21, 0)


# Properties: the calendar agrees with a reference that steps through whole UTC minutes

ZONES = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/Santiago"]
"""Lord Howe moves its clocks by 30 minutes; Santiago moves them at midnight, so a day starts at 01:00 or the
hour before midnight comes twice. All offsets and transitions are on whole minutes, so openness is constant within
a UTC minute when ranges and closures are whole minutes too."""

FIRST, LAST = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)


@cache
def transition_days(name: str) -> list[datetime]:
    """UTC midnights after which the zone's offset changes within the day, 2025 to 2027."""
    zone = ZoneInfo(name)
    days = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days)]
    return [
        day for day in days if day.astimezone(zone).utcoffset() != (day + timedelta(1)).astimezone(zone).utcoffset()
    ]


@dataclass(frozen=True)
class Scenario:
    zone: str
    hours: dict[int, list[tuple[int, int]]]  # weekday -> [(start minute, end minute)]
    holidays: frozenset[date]
    closures: list[tuple[datetime, datetime]]  # naive local
    start: datetime

    def calendar(self) -> Calendar:
        def clock(minute: int) -> str:
            return f"{minute // 60:02d}:{minute % 60:02d}"

        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        return Calendar.model_validate(
            {
                "timezone": self.zone,
                "hours": {
                    names[day]: [f"{clock(a)}-{clock(b)}" for a, b in ranges] for day, ranges in self.hours.items()
                },
                "holidays": sorted(self.holidays),
                "closures": [
                    {"from": f.strftime("%Y-%m-%d %H:%M"), "to": t.strftime("%Y-%m-%d %H:%M")} for f, t in self.closures
                ],
            }
        )

    @property
    def weekly_open(self) -> timedelta:
        return MINUTE * sum(b - a for ranges in self.hours.values() for a, b in ranges)


def reference_is_open(scenario: Scenario, at: datetime) -> bool:
    wall = at.astimezone(ZoneInfo(scenario.zone)).replace(tzinfo=None)
    minute = wall.hour * 60 + wall.minute
    return (
        wall.date() not in scenario.holidays
        and not any(start <= wall < end for start, end in scenario.closures)
        and any(a <= minute < b for a, b in scenario.hours.get(wall.weekday(), []))
    )


def _minute_after(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0) + MINUTE


STEPS_LIMIT = 200_000
"""Minutes the reference steps before declaring the test itself wrong (about 20 weeks)."""


def reference_add(scenario: Scenario, start: datetime, duration: timedelta) -> datetime:
    at, remaining = start.astimezone(UTC), duration
    for _ in range(STEPS_LIMIT):
        minute_end = _minute_after(at)
        if reference_is_open(scenario, at):
            if remaining <= minute_end - at:
                return at + remaining
            remaining -= minute_end - at
        at = minute_end
    raise AssertionError("the reference ran out of steps")


def reference_between(scenario: Scenario, start: datetime, end: datetime) -> timedelta:
    at, total = start.astimezone(UTC), timedelta(0)
    while at < end:
        step_end = min(_minute_after(at), end)
        total += step_end - at if reference_is_open(scenario, at) else timedelta(0)
        at = step_end
    return total


minute_of_day = st.one_of(st.sampled_from(range(0, 24 * 60 + 1, 60)), st.integers(0, 24 * 60))


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[int, int]]:
    """Up to three disjoint ranges: sorted distinct minutes, taken in pairs."""
    minutes = sorted(draw(st.lists(minute_of_day, unique=True, max_size=6)))
    return list(zip(minutes[0::2], minutes[1::2], strict=False))


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone = draw(st.sampled_from(ZONES))
    week = draw(st.lists(day_hours(), min_size=7, max_size=7).filter(any))
    near_transition = st.builds(
        lambda day, micros: day + timedelta(microseconds=micros),
        st.sampled_from(transition_days(zone)),
        st.integers(-3 * 86_400_000_000, 4 * 86_400_000_000),
    )
    anywhere = st.datetimes(FIRST.replace(tzinfo=None), LAST.replace(tzinfo=None), timezones=st.just(UTC))
    start = draw(st.one_of(near_transition, anywhere, anywhere.map(lambda at: at.replace(second=0, microsecond=0))))
    start = draw(st.sampled_from([start, start.astimezone(ZoneInfo(zone))]))  # any aware datetime is accepted
    local_day = start.astimezone(ZoneInfo(zone)).date()
    saturday = local_day + timedelta(days=(5 - local_day.weekday()) % 7)
    weekend_holiday = saturday + timedelta(days=draw(st.integers(0, 1)) + 7 * draw(st.integers(0, 1)))
    holidays = {local_day + timedelta(days=n) for n in draw(st.lists(st.integers(-2, 14), max_size=3))}
    midnight = datetime.combine(local_day, datetime.min.time())
    closures = [
        (midnight + MINUTE * begin, midnight + MINUTE * (begin + length))
        for begin, length in draw(
            st.lists(st.tuples(st.integers(-24 * 60, 10 * 24 * 60), st.integers(1, 3 * 24 * 60)), max_size=3)
        )
    ]
    hours = {day: ranges for day, ranges in enumerate(week) if ranges}
    return Scenario(zone, hours, frozenset(holidays | {weekend_holiday}), closures, start)


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(scenario=scenarios(), data=st.data())
def test_add_agrees_with_the_reference(scenario, data):
    # At most a week's opening hours, so the reference steps through weeks, not months, of minutes.
    most = min(timedelta(hours=12), scenario.weekly_open)
    duration = data.draw(
        st.one_of(
            st.just(timedelta(0)),
            st.integers(0, most // MINUTE).map(lambda n: n * MINUTE),
            st.timedeltas(timedelta(0), most),
        )
    )
    calendar = scenario.calendar()
    end = calendar.add(scenario.start, duration)
    assert end == reference_add(scenario, scenario.start, duration) and end.tzinfo is UTC
    assert calendar.business_time_between(scenario.start, end) == duration
    if duration == timedelta(0):
        assert end == calendar.next_opening(scenario.start) and calendar.is_open(end)


@PROPERTY
@given(scenario=scenarios(), later=st.integers(0, 14 * 86_400_000_000))
def test_is_open_agrees_with_the_reference(scenario, later):
    at = scenario.start + timedelta(microseconds=later)
    assert scenario.calendar().is_open(at) == reference_is_open(scenario, at)


@PROPERTY
@given(scenario=scenarios(), length=st.integers(0, 3 * 86_400_000_000))
def test_business_time_between_agrees_with_the_reference(scenario, length):
    end = scenario.start + timedelta(microseconds=length)
    assert scenario.calendar().business_time_between(scenario.start, end) == reference_between(
        scenario, scenario.start, end
    )
