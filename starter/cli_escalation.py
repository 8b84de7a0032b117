"""``handoff escalation``: start, inspect, escalate or cancel escalations from the terminal."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from starter.cli_client import Refused, run_with_client
from starter.console import console, fail
from starter.escalation_lookup import LatestEscalation, latest_escalation
from starter.escalations import escalation_handle, operate, start_escalation
from starter.policy_file import PolicyError, load_policy
from worker.settings import settings
from workflows import search_attributes as sa
from workflows.escalation import Escalation
from workflows.escalation_types import STATUSES, TIMED_STATUSES, Assignment, EscalationState, Status
from workflows.versions import ESCALATIONS

app = typer.Typer(help="Start, inspect, escalate or cancel escalations.", no_args_is_help=True)

STATUS_HELP = "Statuses:\n\n" + "\n\n".join(f"{status}: {meaning}" for status, meaning in STATUSES.items())


def _no_escalation(contact: int) -> Refused:
    return Refused(f"contact {contact} has no escalation; `handoff escalation list` shows the escalations")


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
    """Show where a contact's escalation is, or how it ended: step, assignee, deadline, outcome and history."""

    async def read(client: Client) -> tuple[LatestEscalation, EscalationState | None]:
        latest = await latest_escalation(client, contact)
        if latest is None:
            raise _no_escalation(contact)
        if not latest.running:
            return latest, None
        handle = client.get_workflow_handle(latest.run.id, run_id=latest.run.run_id)
        return latest, await handle.query(Escalation.state)

    latest, state = run_with_client(read)
    attributes = latest.run.typed_search_attributes
    console.print(f"[bold]{latest.run.id}[/]  policy {escape(attributes.get(sa.POLICY) or '?')}", highlight=False)
    if state is not None:
        _print_running(state, attributes.get(sa.STATUS))
        history = state.history
    elif latest.result is not None:
        result = latest.result
        _say(f"finished: {result.finished_at:%Y-%m-%d %H:%M:%S} UTC")
        _say(f"outcome: {latest.ending()}")
        _say(f"assignee: {result.assignee.name if result.assignee else '-'}  level: {result.level}")
        history = result.history
    else:
        _say(f"finished {latest.ending()}")
        return
    console.print(_history_table(history))


def _print_running(state: EscalationState, status: str | None) -> None:
    _say(f"step: {state.step}")
    _say(f"assignee: {state.assignee.name if state.assignee else '-'}  level: {state.level}")
    if state.deadline:
        _say(f"deadline: {state.deadline:%Y-%m-%d %H:%M:%S} UTC")
    for reason in state.ended_early:
        _say(f"a wait was ended early by an operator: {reason}")
    if status == Status.WAITING_FOR_AGENT:
        _say(
            "nobody is eligible: `handoff agent list` shows who routing counts as online; "
            "`handoff agent online AGENT_ID` marks an agent online"
        )


def _say(line: str) -> None:
    """Print text as it is: steps, names and reasons may hold brackets that are not markup."""
    console.print(line, markup=False, highlight=False)


def _history_table(history: list[Assignment]) -> Table:
    table = Table("level", "assigned at (UTC)", "agent", "why")
    for record in history:
        table.add_row(
            str(record.level), f"{record.assigned_at:%H:%M:%S}", escape(record.agent.name), escape(record.reason)
        )
    return table


def _known_status(status: str | None) -> str | None:
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(f"{status!r} is not a status; use one of {', '.join(STATUSES)}")
    return status


@app.command("list", epilog=STATUS_HELP)
def list_(
    status: Annotated[
        str | None,
        typer.Option(callback=_known_status, help=f"only escalations with this status: {', '.join(STATUSES)}"),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="at most this many")] = 50,
) -> None:
    """List escalations, newest first, with their search attributes and the deadline of a running wait."""
    query = ESCALATIONS + (f" AND {sa.STATUS.name} = '{status}'" if status else "")

    async def fetch(client: Client) -> list[WorkflowExecution]:
        return [w async for w in client.list_workflows(query, limit=limit)]

    table = Table("workflow", "state", "contact", "assignee", "status", "level", "deadline (UTC)", "started (UTC)")
    for w in run_with_client(fetch):
        attrs = w.typed_search_attributes
        table.add_row(
            w.id,
            w.status.name.lower() if w.status else "?",
            str(attrs.get(sa.CONTACT_ID) or "-"),
            attrs.get(sa.ASSIGNEE) or "-",
            attrs.get(sa.STATUS) or "-",
            str(attrs.get(sa.LEVEL) or 0),
            _deadline(w),
            f"{w.start_time:%Y-%m-%d %H:%M:%S}",
        )
    console.print(table)


def _deadline(execution: WorkflowExecution) -> str:
    """The end of the running wait; a deadline under any other status is a past one."""
    attrs = execution.typed_search_attributes
    deadline = attrs.get(sa.DEADLINE)
    timed = execution.status == WorkflowExecutionStatus.RUNNING and attrs.get(sa.STATUS) in TIMED_STATUSES
    return f"{deadline:%Y-%m-%d %H:%M:%S}" if deadline and timed else "-"


@app.command("escalate-now")
def escalate_now(
    contact: Annotated[int, typer.Argument(help="respond.io contact id")],
    reason: Annotated[str, typer.Option(help="why; kept in the outcome and shown in the comment's {waited}")],
) -> None:
    """End the current wait now; the policy's conditions still decide what happens."""
    _say(_operate(contact, "escalate", Escalation.escalate_now, reason))


@app.command()
def cancel(
    contact: Annotated[int, typer.Argument(help="respond.io contact id")],
    reason: Annotated[str, typer.Option(help="why; kept in the outcome")],
) -> None:
    """Stop a contact's escalation; Handoff takes no further action on the conversation."""
    _say(_operate(contact, "cancel", Escalation.cancel, reason))


def _operate(contact: int, verb: str, update: UpdateMethodMultiParam[[Escalation, str], str], reason: str) -> str:
    """Send an operator's update to the contact's running escalation; for a finished one, say how it ended."""

    async def send(client: Client) -> str:
        handle = escalation_handle(client, contact)
        try:
            return await operate(handle, update, reason)
        except RPCError as error:
            if error.status != RPCStatusCode.NOT_FOUND:
                raise
            latest = await latest_escalation(client, contact)
            if latest is None:
                raise _no_escalation(contact) from error
            if latest.running:  # a new run started meanwhile: the refusal was about the old one
                raise
            raise Refused(
                f"nothing to {verb}: contact {contact}'s escalation has finished: {latest.ending()}"
            ) from error

    return run_with_client(send)
