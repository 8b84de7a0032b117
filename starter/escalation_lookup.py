"""A contact's latest escalation, running or finished, and how a finished one ended.

A completed run answers from its result, which Temporal keeps, so no worker has to replay it.
"""

from dataclasses import dataclass

from temporalio.client import Client, WorkflowExecutionDescription, WorkflowExecutionStatus

from models.ids import escalation_workflow_id
from starter.escalations import describe_latest_run, escalation_handle
from workflows.escalation_types import EscalationResult


@dataclass(frozen=True)
class LatestEscalation:
    run: WorkflowExecutionDescription
    result: EscalationResult | None = None
    """How the run ended, once it has completed."""

    @property
    def running(self) -> bool:
        return self.run.status == WorkflowExecutionStatus.RUNNING

    def ending(self) -> str:
        """How a finished escalation ended, e.g. ``cancelled (cancelled by an operator: handled by phone)``."""
        if self.result is not None:
            return f"{self.result.outcome.value} ({self.result.detail})"
        status = self.run.status.name.lower().replace("_", " ") if self.run.status else "unknown"
        return f"without an outcome: Temporal reports its run as {status} (its history is in the Temporal UI)"


async def latest_escalation(client: Client, contact_id: int) -> LatestEscalation | None:
    """The contact's latest escalation run; None when the contact never had one."""
    run = await describe_latest_run(client, escalation_workflow_id(contact_id))
    if run is None:
        return None
    if run.status != WorkflowExecutionStatus.COMPLETED:
        return LatestEscalation(run)
    result = await escalation_handle(client, contact_id, run.run_id).result(follow_runs=False)
    return LatestEscalation(run, result)
