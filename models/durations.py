"""Durations as operators write them in policy files: ``30s``, ``15m``, ``1h30m``, ``7d``."""

import re
from datetime import timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORTHAND = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def parse_duration(value: Any) -> Any:
    """Turn ``1h30m`` or a number of seconds into a timedelta; leave other values to pydantic."""
    if isinstance(value, bool):
        raise ValueError("a duration is written like 30s, 15m, 1h30m or 7d")
    if isinstance(value, int | float):
        if value != int(value):
            raise ValueError(f"{value} is not a whole number of seconds; durations are precise to the second")
        return timedelta(seconds=value)
    if isinstance(value, str):
        text = value.strip().lower().replace(" ", "")
        match = _SHORTHAND.match(text)
        if text and match:
            return timedelta(seconds=sum(int(n) * s for n, s in zip(match.groups(), _UNITS.values(), strict=True) if n))
        if not text.startswith("p"):  # not ISO 8601 either
            raise ValueError(f"{value!r} is not a duration: write it like 30s, 15m, 1h30m or 7d")
    return value


def format_duration(value: timedelta) -> str:
    """The shortest shorthand for a duration, e.g. ``15m`` or ``1h30m``."""
    seconds = int(value.total_seconds())
    parts = []
    for unit, size in _UNITS.items():
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]
"""A whole number of seconds, read from shorthand (or ISO 8601) and written back as shorthand."""
