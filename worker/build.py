"""Building the Temporal worker that runs Handoff's workflows and activities."""

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from roster.workflow import Roster
from worker.settings import Settings
from workflows.versions import ESCALATION_WORKFLOWS

WORKFLOWS = [*ESCALATION_WORKFLOWS, Roster]

# Deterministic, stateless modules are shared with the sandbox instead of being re-imported for
# every workflow run: rebuilding pydantic models per run would dominate workflow start time, and
# each cached run would hold its own copy of every module in memory.
_PASSTHROUGH = [
    "pydantic",
    "pydantic_core",
    "annotated_types",
    "models",
    "workflows.policy",
    "workflows.policy_conditions",
    "workflows.policy_templates",
    "workflows.policy_words",
    "workflows.calendars",
    "workflows.time_zones",
    "workflows.conditions",
    "workflows.escalation_types",
    "workflows.api_calls",
    "workflows.metrics",
    "workflows.search_attributes",
    "workflows.story",
    "roster.strategies",
    "roster.state",
    "roster.load",
    "roster.queue",
]


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandbox the workflows run in; the replay tests use the same one."""
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*_PASSTHROUGH))


def build_worker(client: Client, settings: Settings, activities: Sequence[Callable[..., Any]]) -> Worker:
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=WORKFLOWS,
        activities=activities,
        workflow_runner=workflow_runner(),
        max_concurrent_activities=settings.max_concurrent_activities,
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        max_cached_workflows=settings.max_cached_workflows,
        graceful_shutdown_timeout=timedelta(seconds=settings.graceful_shutdown_seconds),
    )
