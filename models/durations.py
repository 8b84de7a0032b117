"""Durations as operators write them in policy files: ``30s``, ``15m``, ``1h30m``, ``7d``."""

import math
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


_SPOKEN = [("d", 86400), ("h", 3600), ("min", 60), ("s", 1)]


def spoken_duration(value: timedelta, at_least: timedelta = timedelta(0)) -> str:
    """A duration as a person reads it, in its two largest units: ``45 s``, ``15 min``, ``1 h 5 min``.

    Rounded to the nearest smaller unit, but never below ``at_least`` (a comment must not say an agent
    had less time than the policy gave them).
    """
    seconds = max(value, at_least).total_seconds()
    floor = at_least.total_seconds()
    big = next((i for i, (_, size) in enumerate(_SPOKEN) if seconds >= size), len(_SPOKEN) - 1)
    step = _SPOKEN[min(big + 1, len(_SPOKEN) - 1)][1]
    steps = round(seconds / step)
    if steps * step < floor:
        steps = math.ceil(floor / step)
    total = steps * step
    parts = []
    for unit, size in _SPOKEN:
        if total >= size:
            parts.append(f"{total // size} {unit}")
            total %= size
        if len(parts) == 2 or (parts and total == 0):
            break
    return " ".join(parts) or "0 s"


Duration = Annotated[timedelta, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)]
"""A whole number of seconds, read from shorthand (or ISO 8601) and written back as shorthand."""
