"""What the demo shows: a live table while the story plays, a summary when it ends."""

from dataclasses import dataclass

from rich.table import Table

from demo.scenario import Customer
from workflows.escalation_types import EscalationState


@dataclass
class Row:
    """One conversation as the demo last saw it: the inbox's side and Handoff's side."""

    customer: Customer
    assignee: str = "-"
    comments: int = 0
    state: EscalationState | None = None

    @property
    def finished(self) -> bool:
        return self.state is not None and self.state.outcome is not None


def live_table(rows: dict[int, Row], elapsed: float) -> Table:
    table = Table(title=f"Handoff demo: {len(rows)} conversations ({elapsed:4.1f} s)", title_justify="left")
    for column in ("contact", "customer", "what happens", "assignee", "Handoff is", "level", "comments"):
        table.add_column(column)
    for row in rows.values():
        state = row.state
        doing = (
            "waiting for the webhook"
            if state is None
            else (state.outcome.value if state.outcome else state.step.split(": ", 1)[-1])
        )
        style = "green" if row.finished else ""
        table.add_row(
            str(row.customer.contact_id),
            row.customer.name,
            row.customer.behaviour.value,
            row.assignee,
            f"[{style}]{doing}[/]" if style else doing,
            str(state.level if state else 0),
            str(row.comments),
        )
    return table


def summary_table(rows: dict[int, Row]) -> Table:
    table = Table(title="What happened, and why", title_justify="left")
    for column in ("contact", "outcome", "assignments", "why"):
        table.add_column(column, overflow="fold")
    for row in rows.values():
        state = row.state
        outcome = state.outcome if state else None
        mark = (
            "[green]✓[/]" if outcome == row.customer.expected else f"[red]✗ expected {row.customer.expected.value}[/]"
        )
        table.add_row(
            f"{row.customer.contact_id} {row.customer.name}",
            f"{outcome.value if outcome else 'unfinished'} {mark}",
            " → ".join(a.agent.name for a in state.history) if state else "-",
            state.detail if state and state.detail else "-",
        )
    return table
