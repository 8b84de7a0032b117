"""Resident memory of the measured processes, read from ``/proc/<pid>/status`` (Linux)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

SAMPLE_EVERY_SECONDS = 0.25


def resident_mb(pid: int, field: str = "VmRSS") -> float:
    """``VmRSS`` (now) or ``VmHWM`` (the peak since the process started), in MB; 0 once the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024  # the kernel writes kB
    return 0.0


class Peaks:
    """The highest ``VmRSS`` seen of each process while a ``sampling`` block ran."""

    def __init__(self, pids: dict[str, int]):
        self.pids = pids
        self.mb = {name: resident_mb(pid) for name, pid in pids.items()}

    def sample(self) -> None:
        for name, pid in self.pids.items():
            self.mb[name] = max(self.mb[name], resident_mb(pid))


@asynccontextmanager
async def sampling(pids: dict[str, int]) -> AsyncIterator[Peaks]:
    """Sample every quarter second in the background; short peaks between samples can be missed."""
    peaks = Peaks(pids)

    async def keep_sampling() -> None:
        while True:
            await asyncio.sleep(SAMPLE_EVERY_SECONDS)
            peaks.sample()

    sampler = asyncio.create_task(keep_sampling())
    try:
        yield peaks
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        peaks.sample()
