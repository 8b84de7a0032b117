"""respond.io's times: epoch numbers whose unit its material does not pin down."""

from datetime import UTC, datetime
from typing import Any


def from_epoch(value: float) -> datetime:
    """An aware UTC time from epoch milliseconds (numbers above 1e12) or seconds."""
    seconds = value / 1000 if value > 1e12 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise ValueError("expected an epoch time in milliseconds or seconds") from error


def message_time(message: dict[str, Any]) -> float | None:
    """A message's epoch time as sent: its own ``timestamp`` (webhooks), else its first status's (the API)."""
    statuses = message.get("status") or []
    candidates = [message.get("timestamp")] + [status.get("timestamp") for status in statuses[:1]]
    return next((float(t) for t in candidates if t is not None), None)
