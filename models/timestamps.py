"""respond.io's times: epoch numbers whose unit and precision its material does not pin down."""

from datetime import UTC, datetime, timedelta
from typing import Any

from models.base import Frozen

MILLISECOND = timedelta(milliseconds=1)
SECOND = timedelta(seconds=1)


class EpochTime(Frozen):
    """A time as respond.io wrote it: the instant lies somewhere in ``[at, at + precision)``."""

    at: datetime
    precision: timedelta


def from_epoch(value: float) -> datetime:
    """An aware UTC time from epoch milliseconds (numbers above 1e12) or seconds."""
    seconds = value / 1000 if value > 1e12 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ValueError("expected an epoch time in milliseconds or seconds") from error


def read_epoch(value: float) -> EpochTime:
    """The time and its precision. A value on a whole second may be a truncated one, whatever its unit
    (``1790014400`` s, or ``1790014400000`` ms from a field that only keeps seconds), so it reads as
    precise to the second; anything finer reads as precise to the millisecond."""
    seconds = value / 1000 if value > 1e12 else value
    return EpochTime(at=from_epoch(value), precision=SECOND if float(seconds).is_integer() else MILLISECOND)


def message_time(message: dict[str, Any]) -> EpochTime | None:
    """The most precise time a message carries: its own ``timestamp`` (webhooks) or its first status's (the API,
    and webhooks too where they send one); the message's own wins a tie."""
    statuses = message.get("status") or []
    values = [message.get("timestamp"), *(status.get("timestamp") for status in statuses[:1])]
    times = [read_epoch(float(value)) for value in values if value is not None]
    return min(times, key=lambda time: time.precision) if times else None
