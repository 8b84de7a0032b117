"""`handoff report`'s output: rich tables for people, CSV and JSON (the same fields) for spreadsheets."""

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from models.durations import format_duration, spoken_duration
from starter.report import ENDINGS, Report, Tally

LABELS = {"replied": "replied in time", "reassigned_by_human": "reassigned by a person"}
GROUPS = {
    "policy": "By policy",
    "team": "By team (of the first assignee)",
    "agent": "By agent (the first assignee)",
}


def _seconds(value: timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds(), 3)


def fields(tally: Tally, levels: int) -> dict[str, Any]:
    """One group's counts as flat fields: a CSV row, or a JSON object."""
    row: dict[str, Any] = {
        "key": tally.key,
        "name": tally.name,
        "conversations": tally.conversations,
        "escalated": tally.escalated,
    }
    row |= {f"escalated_level_{level}": tally.escalated_by_level[level] for level in range(1, levels + 1)}
    row |= {ending: tally.ended[ending] for ending in ENDINGS}
    row |= {
        "first_replies": len(tally.first_replies),
        "median_first_reply_seconds": _seconds(tally.median_first_reply),
        "p90_first_reply_seconds": _seconds(tally.p90_first_reply),
    }
    return row


def _groups(report: Report) -> dict[str, list[Tally]]:
    return {"policy": report.policies, "team": report.teams, "agent": report.agents}


def report_json(report: Report) -> str:
    return json.dumps(
        {
            "since": report.since.isoformat(),
            "until": report.until.isoformat(),
            "retention_seconds": _seconds(report.retention),
            "conversations": report.conversations,
            "still_running": report.still_running,
            **{group: [fields(t, report.levels) for t in tallies] for group, tallies in _groups(report).items()},
            "escalated_most": [
                {
                    "key": t.key,
                    "name": t.name,
                    "conversations": t.conversations,
                    "escalated": t.escalated,
                    "share": round(t.escalated_share, 3),
                }
                for t in report.escalated_most
            ],
        },
        indent=2,
    )


def report_csv(report: Report) -> str:
    """One row per policy, team and agent; the ``group`` column says which."""
    out = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for group, tallies in _groups(report).items():
        for tally in tallies:
            row = {"group": group} | fields(tally, report.levels)
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow({name: "" if value is None else value for name, value in row.items()})
    return out.getvalue()


def print_report(report: Report, console: Console) -> None:
    console.print(_heading(report))
    if not report.conversations:
        console.print("No escalation ended in this period.")
    else:
        for group, tallies in _groups(report).items():
            console.print(_table(GROUPS[group], tallies))
        console.print("median, p90 reply: from an assignment to the first human reply (where Handoff saw one)")
        if report.escalated_most:
            console.print(_escalated_most(report.escalated_most))
    if report.still_running:
        running = report.still_running
        console.print(f"{running} escalation{'' if running == 1 else 's'} still running; each counts once it ends.")


def _heading(report: Report) -> RenderableType:
    lines = [
        Text.assemble(
            ("Escalations that ended ", "bold"),
            (f"from {_when(report.since)} to {_when(report.until)} UTC", "bold"),
            f"  ({report.conversations} conversations)",
        )
    ]
    if report.retention is not None:
        kept = (
            f"Temporal keeps finished escalations for {format_duration(report.retention)} (the namespace's retention)"
        )
        lines.append(Text(kept + ("." if report.sees_the_whole_period else ": older ones are gone from this report.")))
    return Group(*lines)


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _table(title: str, tallies: list[Tally]) -> Table:
    """Columns that are zero in every row are left out (CSV and JSON keep them)."""
    shown = [e for e in ENDINGS if any(t.ended[e] for t in tallies)]
    table = _light_table(title)
    table.add_column("", overflow="fold")
    headings = ["total", "escalated", *(LABELS.get(e, e.replace("_", " ")) for e in shown)]
    for heading in [*headings, "median reply", "p90 reply"]:  # a heading may wrap, but no word is cut
        table.add_column(heading, justify="right", min_width=max(len(word) for word in heading.split()))
    for t in tallies:
        table.add_row(
            t.name,
            str(t.conversations),
            _escalated(t),
            *(str(t.ended[e]) for e in shown),
            _duration(t.median_first_reply),
            _duration(t.p90_first_reply),
        )
    return table


def _light_table(title: str) -> Table:
    """Many columns: a light box leaves them room on an 80-column terminal."""
    return Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)


def _escalated(tally: Tally) -> str:
    """The count, with how far up it went when a policy has more than one level."""
    if set(tally.escalated_by_level) <= {1}:
        return str(tally.escalated)
    levels = " · ".join(f"L{level} {n}" for level, n in sorted(tally.escalated_by_level.items()))
    return f"{tally.escalated} ({levels})"


def _duration(value: timedelta | None) -> str:
    return "-" if value is None else spoken_duration(value)


def _escalated_most(tallies: list[Tally]) -> Table:
    table = _light_table("Escalated most (by first assignee)")
    table.add_column("agent")
    for heading in ("escalated", "of conversations", "share"):
        table.add_column(heading, justify="right")
    for t in tallies:
        table.add_row(t.name, str(t.escalated), str(t.conversations), f"{t.escalated_share:.0%}")
    return table
