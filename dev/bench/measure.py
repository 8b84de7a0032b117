"""The two measurements, for any flow: a steady rate of openings, and many conversations held waiting."""

import asyncio
import time
from collections.abc import Callable, Sequence

from bench.figures import HoldFigures, RateFigures, Spread
from bench.flow import Flow
from bench.histories import history_cost, running, terminate_running, until_none_running
from bench.memory import resident_mb, sampling
from bench.pace import bounded, open_steadily

DRAIN_GRACE_SECONDS = 60.0
"""After the last opening and its wait, how long the escalations may take to finish before the rest are ended."""
RESULTS_AT_ONCE = 16
"""Results are read a few at a time: thousands of long-polls at once hit the server's poller limit."""
HISTORY_SAMPLE = 20
HOLD_OPENINGS_AT_ONCE = 8
"""Held conversations are opened as fast as the flow takes them, this many at a time: no timing is read."""
HOLD_SETTLE_SECONDS = 2.0

Say = Callable[[str], None]


async def measure_rate(
    flow: Flow, rate: float, seconds: float, wait: int, contact_ids: Sequence[int], say: Say
) -> RateFigures:
    """Open ``contact_ids`` at ``rate`` per second, let every escalation finish, and read what it cost."""
    say(f"{flow.name} at {rate:g}/s: opening {len(contact_ids)} conversations over {seconds:g} s")
    async with sampling(flow.pids) as peaks:
        openings = await open_steadily(rate, contact_ids, flow.open)
        say(f"{flow.name} at {rate:g}/s: waiting for the escalations to finish")
        drained = await until_none_running(flow.client, flow.workflow_type, wait + DRAIN_GRACE_SECONDS)
        if not drained:
            say(f"{flow.name} at {rate:g}/s: still running {DRAIN_GRACE_SECONDS:g} s after the wait; ending the rest")
            await terminate_running(flow.client, flow.workflow_type, "the benchmark stopped waiting")
    for failure in openings.failures[:3]:
        say(f"{flow.name} at {rate:g}/s: an opening failed: {failure}")

    late: dict[int, float] = {}

    async def read(contact_id: int) -> None:
        seconds_late = await flow.lateness(contact_id)
        if seconds_late is not None:
            late[contact_id] = seconds_late

    await bounded(RESULTS_AT_ONCE, openings.accepted, read)
    counts = await flow.inbox.counts(set(contact_ids))
    finished = sorted(late)
    sample = finished[:: max(1, len(finished) // HISTORY_SAMPLE)][:HISTORY_SAMPLE]
    cost = await history_cost(flow.client, [flow.workflow_id(c) for c in sample])
    return RateFigures(
        flow=flow.name,
        rate=rate,
        opened_per_s=openings.per_second,
        opened=len(contact_ids),
        failed_openings=len(openings.failures),
        webhook=Spread.of(openings.answer_seconds),
        lateness=Spread.of(list(late.values())),
        finished=len(finished),
        duplicate_comments=counts.duplicate_comments,
        events_per_escalation=cost.events if cost else None,
        activities_per_escalation=cost.activities if cost else None,
        worker_rss_mb=peaks.mb["worker"],
        server_rss_mb=peaks.mb["server"],
        worker_hwm_mb=resident_mb(flow.pids["worker"], "VmHWM"),
        server_hwm_mb=resident_mb(flow.pids["server"], "VmHWM"),
        drained=drained,
    )


async def measure_hold(flow: Flow, contact_ids: Sequence[int], say: Say) -> HoldFigures:
    """Open every conversation (each waits an hour), make sure each is running and assigned, read memory."""
    idle = {name: resident_mb(pid) for name, pid in flow.pids.items()}
    say(f"{flow.name}: holding {len(contact_ids)} conversations waiting")
    accepted: list[int] = []
    failures: list[str] = []

    async def open_one(contact_id: int) -> None:
        try:
            await flow.open(contact_id)
        except Exception as error:  # counted as lost; the first few are shown
            failures.append(f"contact {contact_id}: {type(error).__name__}: {error}")
            return
        accepted.append(contact_id)

    await bounded(HOLD_OPENINGS_AT_ONCE, contact_ids, open_one)
    for failure in failures[:3]:
        say(f"{flow.name}: an opening failed: {failure}")
    deadline = time.monotonic() + 60 + len(contact_ids) / 5
    while True:
        assigned = (await flow.inbox.counts(set(contact_ids))).assigned
        still_running = await running(flow.client, flow.workflow_type)
        if (assigned >= len(accepted) and still_running >= len(accepted)) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1)
    await asyncio.sleep(HOLD_SETTLE_SECONDS)  # the last assignments' webhooks and signals settle first
    return HoldFigures(
        flow=flow.name,
        held=len(contact_ids),
        running=still_running,
        assigned=assigned,
        worker_rss_mb=resident_mb(flow.pids["worker"]),
        server_rss_mb=resident_mb(flow.pids["server"]),
        worker_rss_idle_mb=idle["worker"],
        server_rss_idle_mb=idle["server"],
    )
