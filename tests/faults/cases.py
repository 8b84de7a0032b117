"""Fault cases run at once: each test module names its case in ``CASE``, a coroutine function that plays the
scenario in a folder of its own and returns a ``CaseReport``. The first test to ask for its report starts
every selected case, so the cases overlap in time instead of adding up; each test then asserts on its own."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.effects import Effects


@dataclass(frozen=True)
class CaseReport:
    name: str
    effects: Effects
    facts: dict[str, int] = field(default_factory=dict)
    """What the case itself did or saw (kills, restarts, errors answered), for the summary line."""

    def line(self) -> str:
        facts = "".join(f"; {name} {value}" for name, value in self.facts.items())
        return f"{self.name}: {self.effects.summary()}{facts}"


Case = Callable[[Path], Awaitable[CaseReport]]

SUMMARIES: list[str] = []
"""The lines of the cases that reported, printed at the end of the run."""


class Cases:
    """The selected cases, all started the first time a test asks for its own."""

    def __init__(self, cases: list[Case], folder: Path):
        self._cases = cases
        self._folder = folder
        self._runs: dict[Case, asyncio.Task[CaseReport]] = {}

    async def report(self, case: Case) -> CaseReport:
        if not self._runs:
            self._runs = {c: asyncio.create_task(c(self._folder / c.__name__)) for c in self._cases}
        report = await self._runs[case]
        SUMMARIES.append(report.line())
        return report

    async def stop(self) -> None:
        """Cancel the cases no test waited for (a run stopped early): their stacks stop as they unwind."""
        for run in self._runs.values():
            run.cancel()
        await asyncio.gather(*self._runs.values(), return_exceptions=True)
