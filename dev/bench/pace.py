"""Pacing calls: openings at a steady rate (timing what each flow answers), and many calls a few at a time."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Openings:
    accepted: list[int] = field(default_factory=list)
    """Contact ids whose opening was accepted."""
    answer_seconds: list[float] = field(default_factory=list)
    """How long each timed answer took (the webhook's, for Handoff)."""
    failures: list[str] = field(default_factory=list)
    scheduled: float = 0.0
    """Seconds the openings were spread over: their number over the rate."""
    elapsed: float = 0.0
    """From the first opening to the last answer."""

    @property
    def per_second(self) -> float:
        """Accepted openings per second: the rate asked for while the flow keeps up, less when answers lag."""
        return len(self.accepted) / max(self.scheduled, self.elapsed)


async def open_steadily(
    rate: float, contact_ids: Sequence[int], open_one: Callable[[int], Awaitable[float | None]]
) -> Openings:
    """Start ``open_one(contact_id)`` every ``1/rate`` seconds, on time however slowly earlier ones answer
    (an open-loop load, as customers arrive); ``open_one`` returns the time its answer took, if timed."""
    openings = Openings(scheduled=len(contact_ids) / rate)
    started = time.monotonic()

    async def one(index: int, contact_id: int) -> None:
        await asyncio.sleep(max(0.0, started + index / rate - time.monotonic()))
        try:
            answered = await open_one(contact_id)
        except Exception as error:  # counted and shown: a benchmark reports failures, it does not stop at one
            openings.failures.append(f"contact {contact_id}: {type(error).__name__}: {error}")
            return
        openings.accepted.append(contact_id)
        if answered is not None:
            openings.answer_seconds.append(answered)

    await asyncio.gather(*(one(index, contact_id) for index, contact_id in enumerate(contact_ids)))
    openings.elapsed = time.monotonic() - started
    return openings


async def bounded(limit: int, items: Sequence[T], call: Callable[[T], Awaitable[None]]) -> None:
    """``call`` every item with at most ``limit`` calls in flight (no thousands of long-polls at once)."""
    gate = asyncio.Semaphore(limit)

    async def one(item: T) -> None:
        async with gate:
            await call(item)

    await asyncio.gather(*(one(item) for item in items))
