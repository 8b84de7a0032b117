"""What the demo shows: a live table while the story plays, a summary and who went offline when it ends."""

from rich.table import Table

from demo.seen import Row, Story, WentOffline


def live_table(story: Story) -> Table:
    table = Table(
        title=f"Handoff demo: {len(story.rows)} conversations ({story.elapsed:4.1f} s)",
        title_justify="left",
        caption="; ".join(_offline_since(went) for went in story.went_offline) or None,
        caption_justify="left",
    )
    for column in ("contact", "customer", "what happens", "assignees", "Handoff is", "level", "comments"):
        table.add_column(column)
    for row in story.rows.values():
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
            " → ".join(agent.first_name for agent in row.assignees) or "-",
            f"[{style}]{doing}[/]" if style else doing,
            str(state.level if state else 0),
            str(row.comments),
        )
    return table


def _offline_since(went: WentOffline) -> str:
    return f"{went.agent.name} went offline {went.into_story:.1f} s in: their unanswered conversations move"


def summary_table(story: Story) -> Table:
    table = Table(title="What happened, and why", title_justify="left")
    for column in ("contact", "outcome", "assignments", "comments", "why"):
        table.add_column(column, overflow="fold")
    for row in story.rows.values():
        state = row.state
        outcome = state.outcome if state else None
        mark = (
            "[green]✓[/]" if outcome == row.customer.expected else f"[red]✗ expected {row.customer.expected.value}[/]"
        )
        table.add_row(
            f"{row.customer.contact_id} {row.customer.name}",
            f"{outcome.value if outcome else 'unfinished'} {mark}",
            _assignments(row, story),
            str(row.comments),
            state.detail if state and state.detail else "-",
        )
    return table


def _assignments(row: Row, story: Story) -> str:
    """Handoff's assignments in order, marking each agent it moved the conversation from as gone offline."""
    if row.state is None:
        return "-"
    moved_from = {went.agent.id for went in story.went_offline if went.move_of(row)}
    return " → ".join(
        f"{a.agent.name} (went offline)" if a.agent.id in moved_from else a.agent.name for a in row.state.history
    )


def offline_lines(story: Story) -> list[str]:
    """For each agent who went offline: which conversations Handoff moved, and which stayed with them."""
    lines = []
    for went in story.went_offline:
        moved, stayed = story.moved(went), story.stayed(went)
        line = f"{went.agent.name} went offline {went.into_story:.1f} s in: "
        if moved:
            to = _names(sorted({move.agent.name for _, move in moved}))
            within = max((move.assigned_at - went.at).total_seconds() for _, move in moved)
            line += f"{_names([row.customer.name for row, _ in moved])}, not answered yet, moved to {to} within "
            line += f"{within * 1000:.0f} ms" if within < 1 else f"{within:.1f} s"
        else:
            line += "nothing moved"
        if stayed:
            line += f"; {_names([row.customer.name for row in stayed])}, answered, stayed with {went.agent.name}"
        lines.append(line + ".")
    return lines


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
