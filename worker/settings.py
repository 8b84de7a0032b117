"""Worker settings from environment variables prefixed ``HANDOFF_``.

The Temporal connection itself follows Temporal's own convention (``TEMPORAL_ADDRESS``,
``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, TLS and profiles); see ``worker.connection``.
"""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflows.escalation_types import TASK_QUEUE


class WorkerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    task_queue: str = TASK_QUEUE
    max_concurrent_activities: int = Field(default=100, ge=1)
    max_concurrent_workflow_tasks: int = Field(default=100, ge=1)
    max_cached_workflows: int = Field(default=1000, ge=0)
    graceful_shutdown_seconds: float = Field(default=10, ge=0, description="how long running activities may finish")
