"""``handoff escalation``: start, inspect, escalate or cancel escalations from the terminal."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from temporalio.client import Client, WorkflowExecution

from models.ids import escalation_workflow_id
from starter.cli_client import run_with_client
from starter.console import console, fail
from starter.escalations import start_escalation
from starter.policy_file import PolicyError, load_policy
from worker.settings import settings
from workflows import search_attributes as sa
from workflows.escalation import ConversationEscalation

app = typer.Typer(help="Start, inspect, escalate or cancel escalations.", no_args_is_help=True)


@app.command()
def start(
    contact: Annotated[int, typer.Argument(help="respond.io contact id")],
    policy: Annotated[
        Path | None, typer.Option(help="policy file (default: HANDOFF_POLICY or the embedded default)")
    ] = None,
) -> None:
    """Start an escalation for a contact now, as if its conversation had just opened."""
    current = settings()
    try:
        loaded = load_policy(policy or current.policy)
    except PolicyError as error:
        raise fail(f"{error}; run `handoff policy check` for details", code=2) from error
    opened_at = datetime.now(UTC)
    result = run_with_client(
        lambda client: start_escalation(
            client, current.task_queue, loaded, contact, f"cli-{opened_at.isoformat()}", opened_at
        )
    )
    console.print(
        f"{'Started' if result.started else 'Not started'}: {result.workflow_id} ({result.detail})", highlight=False
    )


@app.command()
def show(contact: int = typer.Argument(..., help="respond.io contact id")) -> None:
    """Show where a contact's escalation is: step, assignee, deadline and history."""
    state = run_with_client(
        lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).query(ConversationEscalation.state)
    )
    console.print(f"[bold]{escalation_workflow_id(contact)}[/]  policy {state.policy}", highlight=False)
    console.print(
        f"step: {state.step}\nassignee: {state.assignee.name if state.assignee else '-'}  level: {state.level}"
    )
    if state.deadline:
        console.print(f"deadline: {state.deadline:%Y-%m-%d %H:%M:%S} UTC")
    if state.outcome:
        console.print(f"outcome: {state.outcome.value}")
    table = Table("level", "assigned at (UTC)", "agent", "why")
    for record in state.history:
        table.add_row(str(record.level), f"{record.assigned_at:%H:%M:%S}", record.agent.name, record.reason)
    console.print(table)


@app.command("list")
def list_(
    status: str | None = typer.Option(None, help="only this Handoff status, e.g. waiting or escalated"),
    limit: int = typer.Option(50, min=1, help="at most this many"),
) -> None:
    """List escalations, newest first, with their search attributes."""
    query = "WorkflowType = 'ConversationEscalation'" + (f" AND {sa.STATUS.name} = '{status}'" if status else "")

    async def fetch(client: Client) -> list[WorkflowExecution]:
        return [w async for w in client.list_workflows(query, limit=limit)]

    table = Table("workflow", "state", "contact", "assignee", "status", "level", "started (UTC)")
    for w in run_with_client(fetch):
        attrs = w.typed_search_attributes
        table.add_row(
            w.id,
            w.status.name.lower() if w.status else "?",
            str(attrs.get(sa.CONTACT_ID) or "-"),
            attrs.get(sa.ASSIGNEE) or "-",
            attrs.get(sa.STATUS) or "-",
            str(attrs.get(sa.LEVEL) or 0),
            f"{w.start_time:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)


@app.command("escalate-now")
def escalate_now(contact: int, reason: str = typer.Option(..., help="why, for the history")) -> None:
    """End the current wait now; the policy's conditions still decide what happens."""
    message = run_with_client(
        lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).execute_update(
            ConversationEscalation.escalate_now, reason
        )
    )
    console.print(message)


@app.command()
def cancel(contact: int, reason: str = typer.Option(..., help="why, for the history")) -> None:
    """Stop a contact's escalation; Handoff takes no further action on the conversation."""
    message = run_with_client(
        lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).execute_update(
            ConversationEscalation.cancel, reason
        )
    )
    console.print(message)
