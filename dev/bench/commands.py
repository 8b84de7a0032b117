"""``handoff bench``, added to the `handoff` command by this package's entry point."""

import asyncio
import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from bench.plan import (
    DEFAULT_RATES,
    DEFAULT_SECONDS,
    DEFAULT_WAIT,
    QUICK_HOLD,
    QUICK_RATES,
    QUICK_SECONDS,
    QUICK_WAIT,
    Plan,
    PlanError,
)
from starter.console import console, fail
from starter.processes import ChildFailed
from worker.settings import settings

progress = Console(stderr=True)
"""Progress goes to stderr, so ``--format json`` leaves stdout to the figures."""


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"


def _listed(rates: tuple[float, ...]) -> str:
    return ",".join(f"{rate:g}" for rate in rates)


def bench(
    rates: Annotated[
        str | None,
        typer.Option(
            help="openings per second, comma-separated, measured lowest first up to the first one not sustained"
            f" (default {_listed(DEFAULT_RATES)}; --quick: {_listed(QUICK_RATES)})"
        ),
    ] = None,
    seconds: Annotated[
        float | None,
        typer.Option(help=f"how long each rate runs (default {DEFAULT_SECONDS:g}; --quick: {QUICK_SECONDS:g})"),
    ] = None,
    wait: Annotated[
        int | None, typer.Option(help=f"the policy's wait, in seconds (default {DEFAULT_WAIT}; --quick: {QUICK_WAIT})")
    ] = None,
    hold: Annotated[
        int | None,
        typer.Option(help="hold N conversations waiting (1 h) and report memory; alone, instead of the rates"),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help=f"a smoke run: one low rate for a few seconds, {QUICK_HOLD} held")
    ] = False,
    output: Annotated[Format, typer.Option("--format", help="a table, or JSON for notes")] = Format.TABLE,
) -> None:
    """Measure Handoff's whole stack against the sandbox inbox, beside the bare Temporal flow on the same kind of
    server. Prints figures (they vary with the machine and its load); asserts nothing."""
    from bench.run import run_bench  # here: every `handoff` command loads this module, few need the benchmark
    from bench.table import render

    try:
        plan = Plan.choose(rates, seconds, wait, hold, quick)
    except PlanError as error:
        raise fail(str(error), code=2) from error
    try:
        report = asyncio.run(run_bench(plan, settings(), _say))
    except ChildFailed as error:
        raise fail(str(error)) from error
    if output == Format.JSON:
        print(json.dumps(report.as_json(), indent=2))
    else:
        console.print(render(report))


def _say(line: str) -> None:
    progress.print(line, style="dim", markup=False, highlight=False)
