"""respond.io's times at the precision they have, the one rule for replies, and durations as people read them."""

from datetime import UTC, datetime, timedelta

import pytest

from models.durations import spoken_duration
from models.replies import CLOCK_DISAGREEMENT, counts_after
from models.timestamps import MILLISECOND, SECOND, EpochTime, message_time, read_epoch

ASSIGNED = datetime(2026, 9, 21, 18, 13, 20, 500_000, tzinfo=UTC)
"""An assignment half-way through a second, on the worker's clock."""


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        (1_790_014_400, SECOND),
        (1_790_014_400_000, SECOND),  # milliseconds on a whole second: perhaps a truncated field
        (1_790_014_400_123, MILLISECOND),
        (1_790_014_400.5, MILLISECOND),
    ],
)
def test_a_time_is_read_at_the_precision_it_shows(value, precision):
    read = read_epoch(value)
    assert read.precision == precision
    assert read.at.replace(microsecond=0) == datetime(2026, 9, 21, 18, 13, 20, tzinfo=UTC)


def test_a_message_is_timed_by_its_most_precise_field():
    message = {"timestamp": 1_790_014_400, "status": [{"value": "sent", "timestamp": 1_790_014_400_734}]}
    assert message_time(message) == EpochTime(
        at=datetime(2026, 9, 21, 18, 13, 20, 734_000, tzinfo=UTC), precision=MILLISECOND
    )
    assert message_time({"timestamp": 1_790_014_400}) == EpochTime(at=ASSIGNED.replace(microsecond=0), precision=SECOND)
    assert message_time({"status": []}) is None


@pytest.mark.parametrize(
    ("sent", "counts"),
    [
        (EpochTime(at=ASSIGNED.replace(microsecond=0), precision=SECOND), True),  # the assignment's second
        (EpochTime(at=ASSIGNED + timedelta(milliseconds=5), precision=MILLISECOND), True),
        (EpochTime(at=ASSIGNED - timedelta(milliseconds=300), precision=MILLISECOND), True),  # within clock skew
        (EpochTime(at=ASSIGNED - CLOCK_DISAGREEMENT - timedelta(milliseconds=2), precision=MILLISECOND), False),
        (EpochTime(at=ASSIGNED.replace(microsecond=0) - timedelta(seconds=2), precision=SECOND), False),
    ],
)
def test_a_reply_counts_unless_provably_before_the_assignment(sent, counts):
    assert counts_after(sent, ASSIGNED) is counts


@pytest.mark.parametrize(
    ("seconds", "at_least", "spoken"),
    [
        (2.96, 3, "3 s"),  # a 3 s wait is never reported as 2 s
        (2.4, 0, "2 s"),
        (59.6, 0, "1 min"),
        (899.7, 900, "15 min"),
        (930, 900, "15 min 30 s"),
        (3900, 0, "1 h 5 min"),
        (3599.7, 0, "1 h"),
        (2 * 86400 + 3 * 3600 + 59, 0, "2 d 3 h"),
        (0.2, 0, "0 s"),
    ],
)
def test_durations_read_as_people_say_them_and_never_below_the_wait(seconds, at_least, spoken):
    assert spoken_duration(timedelta(seconds=seconds), at_least=timedelta(seconds=at_least)) == spoken
