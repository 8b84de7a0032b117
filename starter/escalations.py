"""Starting escalations and passing webhook events to them, safely under duplicate delivery."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel
from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from models.ids import escalation_workflow_id
from workflows import search_attributes as sa
from workflows.escalation import ConversationEscalation
from workflows.escalation_types import EscalationRequest, EscalationResult
from workflows.policy import Policy

_OPENED_AT = "opened_at"
_OPENING = "opening"


@dataclass(frozen=True)
class StartResult:
    workflow_id: str
    started: bool
    detail: str
    handle: WorkflowHandle[ConversationEscalation, EscalationResult] | None = None
    """The new run's handle when this call started it."""


async def start_escalation(
    client: Client, task_queue: str, policy: Policy, contact_id: int, opening: str, opened_at: datetime
) -> StartResult:
    """Start the escalation for one opening of a conversation, at most once.

    The workflow id is per contact, so a running escalation absorbs duplicate deliveries.
    A finished one is compared with this opening: the same opening (by key) or an older one
    is a duplicate; only a newer opening starts a new run.
    """
    workflow_id = escalation_workflow_id(contact_id)
    latest = await _describe_latest_run(client, workflow_id)
    if latest is not None:
        if latest.status == WorkflowExecutionStatus.RUNNING:
            return StartResult(workflow_id, False, "an escalation is already running for this contact")
        previous = await latest.memo()
        previous_opened_at = previous.get(_OPENED_AT)
        if previous.get(_OPENING) == opening or (
            previous_opened_at and datetime.fromisoformat(previous_opened_at) >= opened_at
        ):
            return StartResult(workflow_id, False, "this opening was already escalated")
    request = EscalationRequest(contact_id=contact_id, opening=opening, opened_at=opened_at, policy=policy)
    try:
        handle = await client.start_workflow(
            ConversationEscalation.run,
            request,
            id=workflow_id,
            task_queue=task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            memo={_OPENED_AT: opened_at.isoformat(), _OPENING: opening},
            search_attributes=sa.initial(contact_id, policy.name),
        )
    except WorkflowAlreadyStartedError:
        return StartResult(workflow_id, False, "an escalation is already running for this contact")
    return StartResult(workflow_id, True, "escalation started", handle)


async def _describe_latest_run(client: Client, workflow_id: str) -> WorkflowExecutionDescription | None:
    try:
        return await client.get_workflow_handle(workflow_id).describe()
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return None
        raise


async def signal_escalation(client: Client, contact_id: int, signal: Callable[..., None], event: BaseModel) -> bool:
    """Signal the contact's running escalation; False when none is running (nothing to do)."""
    handle = client.get_workflow_handle(escalation_workflow_id(contact_id))
    try:
        await handle.signal(signal, event)
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    return True
