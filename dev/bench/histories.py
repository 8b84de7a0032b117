"""What Temporal knows about a flow's runs: how many still run, and what a finished run's history cost."""

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench.pace import bounded

LOCAL_ACTIVITY_MARKER = "core_local_activity"
POLL_EVERY_SECONDS = 1.0


async def running(client: Client, workflow_type: str) -> int:
    """Runs of ``workflow_type`` still running (one visibility count, cheap for the server)."""
    query = f"WorkflowType = '{workflow_type}' AND ExecutionStatus = 'Running'"
    return (await client.count_workflows(query)).count


async def until_none_running(client: Client, workflow_type: str, timeout: float) -> bool:
    """Poll until no run of ``workflow_type`` is running; False if some still are after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while await running(client, workflow_type):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(POLL_EVERY_SECONDS)
    return True


async def terminate_running(client: Client, workflow_type: str, reason: str) -> None:
    """End what still runs, so the next rate starts on an idle server and every result can be read."""
    query = f"WorkflowType = '{workflow_type}' AND ExecutionStatus = 'Running'"
    ids = [execution.id async for execution in client.list_workflows(query)]

    async def terminate(workflow_id: str) -> None:
        await client.get_workflow_handle(workflow_id).terminate(reason=reason)

    await bounded(16, ids, terminate)


@dataclass(frozen=True)
class HistoryCost:
    events: float
    """History events per run."""
    activities: float
    """Activities scheduled per run, local activities included."""


async def history_cost(client: Client, workflow_ids: Sequence[str]) -> HistoryCost | None:
    """The mean cost over the given runs' histories (a sample: each history is a full read)."""
    events = activities = 0
    for workflow_id in workflow_ids:
        history = await client.get_workflow_handle(workflow_id).fetch_history()
        events += len(history.events)
        activities += sum(
            1
            for event in history.events
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            or (
                event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED
                and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
            )
        )
    if not workflow_ids:
        return None
    return HistoryCost(events / len(workflow_ids), activities / len(workflow_ids))
