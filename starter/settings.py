"""Settings of the processes that start and signal escalations (CLI, webhook receiver)."""

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from starter.policy_file import DEFAULT_POLICY
from workflows.escalation_types import TASK_QUEUE


class StarterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    task_queue: str = TASK_QUEUE
    policy: Path = DEFAULT_POLICY
