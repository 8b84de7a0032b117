"""Time zones read from the ``tzdata`` package pinned in uv.lock, never from the host's zone database.

Business hours decide what an escalation does, and a replay must decide the same way on any worker: two hosts
whose system databases differ (a country changed its clocks) would otherwise reckon the same hours differently.
"""

import functools
import re
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_NAME = re.compile(r"^[A-Za-z0-9_+-]+(?:/[A-Za-z0-9_+-]+)*$")


@functools.cache
def time_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (e.g. ``Europe/Berlin``); ``ZoneInfoNotFoundError`` if tzdata has no such zone."""
    if not _NAME.match(name):
        raise ZoneInfoNotFoundError(name)
    try:
        with resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).open("rb") as data:
            return ZoneInfo.from_file(data, key=name)
    except (OSError, ValueError) as error:  # no such file, a folder such as "Europe", or not a zone file
        raise ZoneInfoNotFoundError(name) from error
