"""``handoff report``: how escalations ended over a period, per policy, team and agent."""

from datetime import timedelta
from enum import StrEnum
from typing import Annotated

import typer
from pydantic import TypeAdapter, ValidationError

from models.durations import Duration, format_duration
from starter.cli_client import run_with_client
from starter.console import console
from starter.report_source import DEFAULT_PERIOD, read_report
from starter.report_view import print_report, report_csv, report_json
from worker.settings import Settings

HELP = (
    "How escalations that ended in a period went, per policy, team and agent.\n\n"
    "Counts conversations, replied in time, escalated (by the highest level reached, whatever happened next), "
    "closed, reassigned by a person, no eligible agent, cancelled, completed and failed; the median and p90 time "
    "from an assignment to the first human reply; and the agents whose conversations escalate most. Team and "
    "agent are those of the first assignment (level 0).\n\n"
    "It reads only what Temporal keeps (visibility and each run's result), so it sees as far back as the "
    "namespace's retention period: Temporal deletes a finished escalation after it. `handoff up` keeps them for "
    f"HANDOFF_RETENTION ({format_duration(Settings.model_fields['retention'].default)} by default); on another "
    "server it is the namespace's retention."
)
"""The command's help: its docstring would keep the source's line breaks."""


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def _period(value: str) -> timedelta:
    try:
        period = TypeAdapter(Duration).validate_python(value)
    except ValidationError as error:
        raise typer.BadParameter(error.errors()[0]["msg"]) from error
    if period <= timedelta(0):
        raise typer.BadParameter("the period must be longer than 0s")
    return period


def report(
    since: Annotated[
        timedelta,
        typer.Option(
            parser=_period,
            metavar="DURATION",
            show_default=format_duration(DEFAULT_PERIOD),
            help="the period before now, written like 24h, 7d or 30d",
        ),
    ] = DEFAULT_PERIOD,
    policy: Annotated[str | None, typer.Option(help="only escalations of this policy (its name)")] = None,
    format_: Annotated[Format, typer.Option("--format", help="table for people; csv or json for spreadsheets")] = (
        Format.TABLE
    ),
) -> None:
    """How escalations that ended in a period went, per policy, team and agent."""
    if policy and "'" in policy:
        raise typer.BadParameter("a policy name has no quotes", param_hint="--policy")
    found = run_with_client(lambda client: read_report(client, since, policy))
    match format_:
        case Format.JSON:
            typer.echo(report_json(found))
        case Format.CSV:
            typer.echo(report_csv(found), nl=False)
        case Format.TABLE:
            print_report(found, console)
