"""The whole benchmark: each flow on its own fresh stack, the rates lowest first, then the hold."""

import itertools
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from tempfile import TemporaryDirectory

from bench.bare_flow import running_bare
from bench.figures import HoldFigures, RateFigures, Report
from bench.flow import Flow
from bench.handoff_flow import running_handoff
from bench.measure import Say, measure_hold, measure_rate
from bench.plan import HOLD_WAIT_SECONDS, Plan
from worker.settings import Settings

Start = Callable[[Path, int], AbstractAsyncContextManager[Flow]]


async def run_bench(plan: Plan, settings: Settings, say: Say) -> Report:
    """Measure Handoff, then the bare flow, on the same kind of server; one at a time, so neither slows the other."""
    starts: list[tuple[str, Start]] = [
        ("handoff", lambda data_dir, wait: running_handoff(data_dir, wait, settings)),
        ("bare", running_bare),
    ]
    rates: list[RateFigures] = []
    holds: list[HoldFigures] = []
    with TemporaryDirectory(prefix="handoff-bench-") as scratch:
        for name, start in starts if plan.rates else []:
            say(f"{name}: starting a fresh stack")
            async with start(Path(scratch) / f"{name}-rates", plan.wait) as flow:
                rates += await _climb(flow, plan, say)
        for name, start in starts if plan.hold else []:
            say(f"{name}: starting a fresh stack to hold {plan.hold} conversations")
            async with start(Path(scratch) / f"{name}-hold", HOLD_WAIT_SECONDS) as flow:
                holds.append(await measure_hold(flow, range(1, plan.hold + 1), say))
    return Report(plan.wait, plan.seconds, rates, holds)


async def _climb(flow: Flow, plan: Plan, say: Say) -> list[RateFigures]:
    """Each rate in turn on the same stack, lowest first, each once the previous one has drained, up to the first
    rate the flow does not sustain: a higher one would not either, and would only make the run longer."""
    figures: list[RateFigures] = []
    next_contact = itertools.count(1)
    for rate in plan.rates:
        contact_ids = [next(next_contact) for _ in range(plan.count(rate))]
        measured = await measure_rate(flow, rate, plan.seconds, plan.wait, contact_ids, say)
        figures.append(measured)
        if not measured.sustained:
            if rate != plan.rates[-1]:
                say(f"{flow.name}: {rate:g}/s is not sustained; the higher rates are skipped")
            break
    return figures
