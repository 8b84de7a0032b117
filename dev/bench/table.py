"""The report as people read it: one table of rates, the sustainable rates and their ratio, one of held memory."""

from rich.console import Group
from rich.table import Table
from rich.text import Text

from bench.figures import BARE, HANDOFF, SUSTAINABLE_P99_SECONDS, HoldFigures, RateFigures, Report, Spread


def render(report: Report) -> Group:
    parts: list[Table | Text] = []
    if report.rates:
        parts += [_rates_table(report), _verdict(report)]
    if report.holds:
        parts.append(_holds_table(report.holds))
    return Group(*parts)


def _ms(spread: Spread | None, *fields: str) -> str:
    if spread is None:
        return "-"
    return " / ".join(f"{getattr(spread, name) * 1000:.0f}" for name in fields)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _rates_table(report: Report) -> Table:
    table = Table(
        title=f"Steady openings, {report.seconds_per_rate:g} s per rate, wait {report.wait_seconds} s, nobody replies",
        title_justify="left",
    )
    for column in (
        "flow",
        "rate/s",
        "opened/s",
        "webhook ms p50 / p99",
        "lateness ms p50 / p99 / max",
        "finished/opened",
        "dup. comments",
        "events/esc.",
        "activities/esc.",
        "worker RSS MB",
        "server RSS MB",
    ):
        table.add_column(column, justify="left" if column == "flow" else "right")
    for row in report.rates:
        table.add_row(*_rate_cells(row), style="" if row.sustained else "yellow")
    return table


def _rate_cells(row: RateFigures) -> list[str]:
    return [
        row.flow,
        f"{row.rate:g}",
        f"{row.opened_per_s:.1f}",
        _ms(row.webhook, "p50", "p99"),
        _ms(row.lateness, "p50", "p99", "max"),
        f"{row.finished}/{row.opened}",
        str(row.duplicate_comments),
        _number(row.events_per_escalation),
        _number(row.activities_per_escalation),
        f"{row.worker_rss_mb:.0f}",
        f"{row.server_rss_mb:.0f}",
    ]


def _verdict(report: Report) -> Text:
    """Each flow's sustainable rate; "at least" when it held at the highest rate tried."""
    lines = [f"Sustainable rate (lateness p99 ≤ {SUSTAINABLE_P99_SECONDS:g} s, nothing lost):"]
    for flow in (HANDOFF, BARE):
        rate = report.sustainable(flow)
        tried = max((r.rate for r in report.rates if r.flow == flow), default=None)
        if rate is None:
            lines.append(f"  {flow}: none of the rates tried")
        else:
            lines.append(f"  {flow}: {'at least ' if rate == tried else ''}{rate:g}/s")
    ratio = report.ratio
    lines.append(f"  ratio handoff/bare: {'-' if ratio is None else f'{ratio:.2f}'}")
    return Text("\n".join(lines) + "\n")


def _holds_table(holds: list[HoldFigures]) -> Table:
    table = Table(title="Conversations held waiting (1 h wait)", title_justify="left")
    for column in ("flow", "held", "running", "assigned", "worker RSS MB", "server RSS MB", "kB per held (w / s)"):
        table.add_column(column, justify="left" if column == "flow" else "right")
    for hold in holds:
        table.add_row(
            hold.flow,
            str(hold.held),
            str(hold.running),
            str(hold.assigned),
            f"{hold.worker_rss_idle_mb:.0f} → {hold.worker_rss_mb:.0f}",
            f"{hold.server_rss_idle_mb:.0f} → {hold.server_rss_mb:.0f}",
            f"{hold.worker_kb_per_held:.0f} / {hold.server_kb_per_held:.0f}",
            style="" if hold.lost == 0 else "yellow",
        )
    return table
