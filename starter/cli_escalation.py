"""``handoff escalation``: start, inspect, escalate or cancel escalations from the terminal."""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Optional, TypeVar

import typer
from rich.table import Table
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode

from starter.console import console, fail
from starter.escalations import start_escalation
from starter.policy_file import PolicyError, load_policy
from starter.settings import StarterSettings
from worker.connection import TemporalUnreachable, connect
from workflows import search_attributes as sa
from workflows.escalation import ConversationEscalation
from workflows.escalation_types import escalation_workflow_id

app = typer.Typer(help="Start, inspect, escalate or cancel escalations.", no_args_is_help=True)
T = TypeVar("T")


def _run(action: Callable[[Client], Awaitable[T]]) -> T:
    """Connect, run the action, and turn the usual failures into messages that say what to do."""

    async def go() -> T:
        return await action(await connect())

    try:
        return asyncio.run(go())
    except TemporalUnreachable as error:
        raise fail(str(error))
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            raise fail("no escalation found for that contact; `handoff escalation list` shows the running ones")
        raise fail(f"Temporal refused the request: {error.message}")
    except WorkflowUpdateFailedError as error:
        raise fail(str(error.cause.message if error.cause else error))


@app.command()
def start(
    contact: int = typer.Argument(..., help="respond.io contact id"),
    policy: Optional[Path] = typer.Option(None, help="policy file (default: HANDOFF_POLICY or the embedded default)"),
) -> None:
    """Start an escalation for a contact now, as if its conversation had just opened."""
    settings = StarterSettings()
    try:
        loaded = load_policy(policy or settings.policy)
    except PolicyError as error:
        raise fail(f"{error}; run `handoff policy check` for details", code=2)
    opened_at = datetime.now(UTC)
    result = _run(lambda client: start_escalation(client, settings.task_queue, loaded, contact, f"cli-{opened_at.isoformat()}", opened_at))
    console.print(f"{'Started' if result.started else 'Not started'}: {result.workflow_id} ({result.detail})", highlight=False)


@app.command()
def show(contact: int = typer.Argument(..., help="respond.io contact id")) -> None:
    """Show where a contact's escalation is: step, assignee, deadline and history."""
    state = _run(lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).query(ConversationEscalation.state))
    console.print(f"[bold]{escalation_workflow_id(contact)}[/]  policy {state.policy}", highlight=False)
    console.print(f"step: {state.step}\nassignee: {state.assignee.name if state.assignee else '-'}  level: {state.level}")
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
    status: Optional[str] = typer.Option(None, help="only this Handoff status, e.g. waiting or escalated"),
    limit: int = typer.Option(50, min=1, help="at most this many"),
) -> None:
    """List escalations, newest first, with their search attributes."""
    query = "WorkflowType = 'ConversationEscalation'" + (f" AND {sa.STATUS.name} = '{status}'" if status else "")

    async def fetch(client: Client):
        return [w async for w in client.list_workflows(query, limit=limit)]

    table = Table("workflow", "run", "contact", "assignee", "status", "level", "started (UTC)")
    for w in _run(fetch):
        attrs = w.typed_search_attributes
        table.add_row(w.id, w.status.name.lower() if w.status else "?", str(attrs.get(sa.CONTACT_ID) or "-"),
                      attrs.get(sa.ASSIGNEE) or "-", attrs.get(sa.STATUS) or "-", str(attrs.get(sa.LEVEL) or 0),
                      f"{w.start_time:%Y-%m-%d %H:%M:%S}")
    console.print(table)


@app.command("escalate-now")
def escalate_now(contact: int, reason: str = typer.Option(..., help="why, for the history")) -> None:
    """End the current wait now; the policy's conditions still decide what happens."""
    message = _run(lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).execute_update(ConversationEscalation.escalate_now, reason))
    console.print(message)


@app.command()
def cancel(contact: int, reason: str = typer.Option(..., help="why, for the history")) -> None:
    """Stop a contact's escalation; Handoff takes no further action on the conversation."""
    message = _run(lambda client: client.get_workflow_handle(escalation_workflow_id(contact)).execute_update(ConversationEscalation.cancel, reason))
    console.print(message)
