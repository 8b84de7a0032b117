"""Settings of the processes that start and signal escalations (CLI, webhook receiver)."""

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from starter.policy_file import DEFAULT_POLICY
from workflows.escalation_types import TASK_QUEUE


class StarterSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    task_queue: str = TASK_QUEUE
    policy: Path = DEFAULT_POLICY
    webhook_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="signing keys of the respond.io webhook subscriptions, comma-separated"
    )
    receiver_host: str = "127.0.0.1"
    receiver_port: int = Field(default=8000, ge=0, le=65535)
    max_body_bytes: int = Field(default=256 * 1024, ge=1, description="larger webhook bodies are refused with 413")
    api_token: SecretStr | None = Field(default=None, description="Bearer token for the receiver's presence endpoint")

    @field_validator("api_token", mode="before")
    @classmethod
    def _blank_is_off(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value
