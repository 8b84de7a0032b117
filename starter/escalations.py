"""Starting escalations and passing webhook events to them, safely under duplicate delivery."""

import asyncio
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from models.ids import escalation_workflow_id
from workflows import search_attributes as sa
from workflows import story
from workflows.escalation import Escalation
from workflows.escalation_types import (
    MEMO_OPENED_AT,
    MEMO_OPENING,
    EscalationRequest,
    EscalationResult,
    opening_memo,
)
from workflows.policy import Policy

OPERATOR_UPDATE_ATTEMPTS = 5
"""How often an operator's update is sent when it reached the run just as a workflow task failed."""
DONE = {WorkflowExecutionStatus.COMPLETED, WorkflowExecutionStatus.CANCELED}
"""A finished run that did its work (or an operator stopped it); a run that failed, was terminated or timed out
did not, so a resent opening starts it again."""


@dataclass(frozen=True)
class StartResult:
    workflow_id: str
    started: bool
    detail: str
    handle: WorkflowHandle[Escalation, EscalationResult] | None = None
    """The run that has this opening now, when Temporal took it."""


async def start_escalation(
    client: Client,
    task_queue: str,
    policy: Policy,
    contact_id: int,
    opening: str,
    opened_at: datetime,
    rpc_timeout: timedelta | None = None,
) -> StartResult:
    """Give one opening of a conversation its escalation, at most once.

    Signal-with-start on the contact's workflow id, so Temporal accepts it durably whether or not a
    worker is up: with no run going, a run starts for this opening; with one running, the run
    itself decides, atomically (``Escalation.opened``): its own opening again or an
    older one changes nothing, a newer one ends it without acting and hands over to a fresh run
    waiting from the new opening. A finished run's memo settles late deliveries: the same opening,
    or an older one, was escalated already, unless that run failed or was terminated. ``rpc_timeout``
    bounds each call to Temporal (None: the SDK's default).
    """
    workflow_id = escalation_workflow_id(contact_id)
    request = EscalationRequest(contact_id=contact_id, opening=opening, opened_at=opened_at, policy=policy)
    latest = await describe_latest_run(client, workflow_id, rpc_timeout)
    running = latest is not None and latest.status == WorkflowExecutionStatus.RUNNING
    if latest is not None and latest.status in DONE and _covers(await latest.memo(), request):
        return StartResult(workflow_id, False, "this opening was already escalated")
    handle = await client.start_workflow(
        Escalation.run,
        request,
        id=workflow_id,
        task_queue=task_queue,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        memo=opening_memo(request),
        search_attributes=sa.initial(contact_id, policy.name),
        static_summary=story.escalation_summary(contact_id, policy.name, opened_at),
        static_details=story.policy_outline(policy),
        start_signal=Escalation.opened.__name__,
        start_signal_args=[request],
        rpc_timeout=rpc_timeout,
    )
    if running and latest is not None and handle.result_run_id == latest.run_id:
        detail = "passed to the running escalation: it ignores its own or an older opening, and hands a newer one over"
        return StartResult(workflow_id, False, detail, handle)
    return StartResult(workflow_id, True, "escalation started", handle)


def _covers(memo: Mapping[str, Any], request: EscalationRequest) -> bool:
    """Whether a finished run's opening was this one or a newer one."""
    opened_at = memo.get(MEMO_OPENED_AT)
    return memo.get(MEMO_OPENING) == request.opening or (
        opened_at is not None and datetime.fromisoformat(opened_at) >= request.opened_at
    )


async def describe_latest_run(
    client: Client, workflow_id: str, rpc_timeout: timedelta | None = None
) -> WorkflowExecutionDescription | None:
    """The latest run of a workflow id, running or finished; None when there never was one."""
    try:
        return await client.get_workflow_handle(workflow_id).describe(rpc_timeout=rpc_timeout)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def signal_escalation(
    client: Client,
    contact_id: int,
    signal: Callable[..., None],
    event: BaseModel,
    rpc_timeout: timedelta | None = None,
) -> bool:
    """Signal the contact's running escalation; False when none is running (nothing to do)."""
    handle = client.get_workflow_handle(escalation_workflow_id(contact_id))
    try:
        await handle.signal(signal, event, rpc_timeout=rpc_timeout)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True


def escalation_handle(
    client: Client, contact_id: int, run_id: str | None = None
) -> WorkflowHandle[Escalation, EscalationResult]:
    """The contact's escalation (its latest run, or ``run_id``), typed for its result, updates and queries."""
    handle: WorkflowHandle[Escalation, EscalationResult] = client.get_workflow_handle_for(
        Escalation.run, escalation_workflow_id(contact_id), run_id=run_id
    )
    return handle


async def operate(
    handle: WorkflowHandle[Escalation, EscalationResult],
    update: UpdateMethodMultiParam[[Escalation, str], str],
    arg: str,
) -> str:
    """Send an operator's update (cancel, escalate-now) and answer what the escalation said.

    An update that reached the run as its workflow task failed (a webhook's signal landed as the run completed the
    task, say) was not applied, and Temporal answers it with an error instead of retrying: it is sent again, under
    the same update id, so it still applies once.
    """
    update_id, attempt = f"operator-{uuid.uuid4()}", 1
    while True:
        try:
            return await handle.execute_update(update, arg, id=update_id)
        except RPCError as error:
            if attempt == OPERATOR_UPDATE_ATTEMPTS or not _not_applied(error):
                raise
        await asyncio.sleep(0.1 * attempt)
        attempt += 1


def _not_applied(error: RPCError) -> bool:
    return any(detail.type_url.endswith("WorkflowNotReadyFailure") for detail in error.grpc_status.details)
