"""What `handoff report` reads from Temporal: no database of its own, only what Temporal keeps.

Visibility lists the escalation runs that ended in the period (with their policy); each completed run's
result (only its close event is fetched) says how it ended. Temporal deletes a finished run's history
and visibility record once the namespace's retention period has passed, so that is as far back as any
report can see.
"""

import asyncio
from datetime import UTC, datetime, timedelta

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError

from starter.report import FAILED, Ending, Report
from workflows import search_attributes as sa
from workflows.escalation import Escalation
from workflows.escalation_types import EscalationResult, Outcome
from workflows.versions import ESCALATIONS

DEFAULT_PERIOD = timedelta(days=7)
CONCURRENT_READS = 20
"""Results read at once: each is a history long-poll, and the server limits concurrent pollers per namespace."""

UNKNOWN_POLICY = "(unknown)"


async def read_report(client: Client, period: timedelta = DEFAULT_PERIOD, policy: str | None = None) -> Report:
    """Every escalation that ended in the ``period`` before now, optionally only those of one policy."""
    until = datetime.now(UTC)
    since = until - period
    only_policy = f" AND {sa.POLICY.name} = '{policy}'" if policy else ""
    # A run that handed over to a newer opening (continue-as-new) has no result: its successor counts.
    ended = (
        f"{ESCALATIONS}{only_policy} AND CloseTime >= '{since.isoformat()}' AND CloseTime <= '{until.isoformat()}'"
        " AND ExecutionStatus != 'ContinuedAsNew'"
    )
    executions = [execution async for execution in client.list_workflows(ended)]
    reads = asyncio.Semaphore(CONCURRENT_READS)
    endings = await asyncio.gather(*(_ending(client, execution, reads) for execution in executions))
    running = await client.count_workflows(f"{ESCALATIONS}{only_policy} AND ExecutionStatus = 'Running'")
    return Report.of(list(endings), since, until, await retention(client), running.count)


async def _ending(client: Client, execution: WorkflowExecution, reads: asyncio.Semaphore) -> Ending:
    policy = execution.typed_search_attributes.get(sa.POLICY) or UNKNOWN_POLICY
    if execution.status == WorkflowExecutionStatus.CANCELED:  # cancelled through Temporal rather than Handoff
        return Ending.without_result(policy, Outcome.CANCELLED.value)
    if execution.status != WorkflowExecutionStatus.COMPLETED:
        return Ending.without_result(policy, FAILED)
    handle: WorkflowHandle[Escalation, EscalationResult] = client.get_workflow_handle_for(
        Escalation.run, execution.id, run_id=execution.run_id
    )
    async with reads:
        return Ending.of_result(policy, await handle.result(follow_runs=False))


async def retention(client: Client) -> timedelta | None:
    """How long the namespace keeps finished workflows; None when this client may not read its settings."""
    try:
        described = await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=client.namespace)
        )
    except RPCError:
        return None
    if not described.config.HasField("workflow_execution_retention_ttl"):
        return None
    return described.config.workflow_execution_retention_ttl.ToTimedelta()
