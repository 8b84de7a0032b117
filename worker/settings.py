"""Handoff's settings: one model, read once per process, shared by every command.

Every variable starts with ``HANDOFF_``; the README's settings table is checked against this
model by a test. The Temporal connection itself follows Temporal's own convention
(``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_API_KEY``, TLS and profiles); see
``worker.connection``.
"""

import ipaddress
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from activities.respondio_config import RespondIOConfig
from models.durations import Duration
from models.ids import TASK_QUEUE
from roster.state import RosterConfig

DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "policies" / "default.yaml"
"""The embedded default: respond.io's promptly-transfer flow with a 15-minute wait."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    respondio_token: SecretStr | None = Field(
        default=None, description="respond.io API access token (required by the worker)"
    )
    respondio_base_url: str = Field(default="https://api.respond.io/v2", description="respond.io API root")
    respondio_timeout: float = Field(default=10, gt=0, description="seconds one API call may take")

    task_queue: str = Field(default=TASK_QUEUE, description="the Temporal task queue of workers and roster")
    policy: Path = Field(default=DEFAULT_POLICY, description="the policy file new escalations run")

    inactivity_timeout: Duration = Field(
        default=RosterConfig.model_fields["inactivity_timeout"].default,
        description="an agent who sent a message is online this long afterwards (1m to 60m)",
    )
    roster_sync_every: Duration = Field(
        default=RosterConfig.model_fields["sync_every"].default, description="how often the roster re-reads the agents"
    )
    roster_reconcile_every: Duration = Field(
        default=RosterConfig.model_fields["reconcile_every"].default,
        description="how often the roster reads each agent's open conversations from respond.io to correct its load",
    )

    max_concurrent_activities: int = Field(default=100, ge=1, description="activities one worker runs at once")
    max_concurrent_workflow_tasks: int = Field(default=100, ge=1, description="workflow tasks one worker runs at once")
    max_cached_workflows: int = Field(
        default=1000,
        ge=1,
        description="workflows a worker keeps in memory (at least 1: reads run in a cached workflow)",
    )
    graceful_shutdown_seconds: float = Field(default=10, ge=0, description="how long running activities may finish")

    webhook_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="signing keys of the respond.io webhook subscriptions, comma-separated"
    )
    receiver_host: str = Field(default="127.0.0.1", description="the address the webhook receiver listens on")
    receiver_port: int = Field(default=8000, ge=0, le=65535, description="the webhook receiver's port")
    max_body_bytes: int = Field(default=256 * 1024, ge=1, description="larger webhook bodies are refused with 413")
    temporal_timeout: float = Field(
        default=3,
        gt=0,
        description="seconds the webhook receiver waits for Temporal (connecting included) before it answers 503",
    )
    api_token: SecretStr | None = Field(
        default=None, description="Bearer token of the receiver's presence endpoint (unset: off)"
    )
    metrics_address: str | None = Field(
        default=None,
        description="IP:PORT where the worker or the receiver serves Prometheus metrics at /metrics (unset: off)",
    )

    data_dir: Path = Field(default=Path(".handoff"), description="where `handoff up` keeps its state and logs")
    temporal_port: int = Field(default=7233, ge=1, le=65535, description="`handoff up`: Temporal's gRPC port")
    ui_port: int = Field(default=8233, ge=1, le=65535, description="`handoff up`: the Temporal Web UI's port")
    sandbox_port: int = Field(
        default=8090, ge=1, le=65535, description="`handoff up --sandbox`: the sandbox inbox's port"
    )
    worker_metrics_port: int = Field(
        default=9464, ge=1, le=65535, description="`handoff up`: the port of the worker's Prometheus metrics"
    )
    receiver_metrics_port: int = Field(
        default=9465, ge=1, le=65535, description="`handoff up`: the port of the receiver's Prometheus metrics"
    )
    retention: Duration = Field(
        default=timedelta(days=30),
        gt=timedelta(0),
        description="`handoff up`: how long Temporal keeps a finished escalation (how far back `handoff report` sees)",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="DEBUG, INFO, WARNING or ERROR"
    )
    log_format: Literal["plain", "json"] = Field(
        default="plain",
        description="plain: lines for people; json: one object per line (contact, workflow and run ids, step)",
    )

    @field_validator("respondio_token", "api_token", "metrics_address", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_address")
    @classmethod
    def _ip_and_port(cls, value: str | None) -> str | None:
        """The exporter binds a socket address: an IP (IPv6 in brackets) and a port, never a host name."""
        if value is not None and not is_socket_address(value):
            raise ValueError(f"{value!r} is not IP:PORT; write e.g. 0.0.0.0:9464, 127.0.0.1:9464 or [::]:9464")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("webhook_keys", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    def respondio(self) -> RespondIOConfig:
        """How to reach respond.io; a missing token is a ValidationError that names the variable."""
        return RespondIOConfig(
            token=self.respondio_token, base_url=self.respondio_base_url, timeout=self.respondio_timeout
        )

    def roster(self) -> RosterConfig:
        """The roster's settings: whichever process starts the roster applies them, and each worker tells them to
        the running roster as it starts."""
        return RosterConfig(
            inactivity_timeout=self.inactivity_timeout,
            sync_every=self.roster_sync_every,
            reconcile_every=self.roster_reconcile_every,
        )


def is_socket_address(value: str) -> bool:
    """``IP:PORT`` with a port from 1 to 65535, and an IPv6 address in brackets."""
    host, _, port = value.rpartition(":")
    bracketed = host.startswith("[") and host.endswith("]")
    try:
        ip = ipaddress.ip_address(host[1:-1] if bracketed else host)
    except ValueError:
        return False
    return bracketed == (ip.version == 6) and port.isdigit() and 1 <= int(port) <= 65535


@cache
def settings() -> Settings:
    """This process's settings, read from the environment on first use."""
    return Settings()
