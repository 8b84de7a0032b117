"""The sandbox inbox's settings, read from ``HANDOFF_SANDBOX_*`` environment variables."""

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, HttpUrl
from pydantic_settings import BaseSettings, SettingsConfigDict

from sandbox.faults import Faults

EventType = Literal[
    "conversation.opened",
    "conversation.closed",
    "message.received",
    "message.sent",
    "contact.created",
    "contact.updated",
    "contact.assignee.updated",
    "contact.lifecycle.updated",
]
"""respond.io's webhook event names; the sandbox sends the conversation, message and assignee ones."""

TimeUnit = Literal["ms", "s"]

BUNDLED_SEED = Path(__file__).resolve().parent / "fixtures" / "agents.yaml"


class Subscription(BaseModel):
    """One webhook: respond.io gives every event subscription its own signing key."""

    event: EventType
    url: HttpUrl
    signing_key: str = Field(min_length=1)


class SandboxSettings(BaseSettings):
    """Where the sandbox keeps its state, whom it trusts, how fast it lets clients go, whom it calls."""

    # ``__`` reaches into a nested setting: HANDOFF_SANDBOX_FAULTS__FAILURE_RATE=0.2.
    model_config = SettingsConfigDict(env_prefix="HANDOFF_SANDBOX_", env_nested_delimiter="__")

    db: str = ".handoff/sandbox.db"
    """SQLite file holding the inbox and the webhook outbox; ``:memory:`` for a throwaway inbox."""
    token: str = "sandbox-token"
    """The bearer token ``/v2`` accepts."""
    rate_limit: int = Field(20, ge=0)
    """Requests per second per method and route before answering 429; 0 turns limiting off."""
    seed: Path = BUNDLED_SEED
    """Teams, agents and channels put into the database (existing rows are left alone)."""
    webhooks: list[Subscription] = []
    """Subscriptions registered at start (JSON in the environment); more can be added at run time."""
    retry_initial: float = Field(0.5, gt=0)
    """Seconds before the first webhook retry; each retry doubles it."""
    retry_max: float = Field(30.0, gt=0)
    """Longest wait between two attempts, also for a receiver's ``Retry-After``."""
    max_attempts: int = Field(12, ge=1)
    """Attempts per delivery before it is marked failed."""
    presence_url: str | None = None
    """Where presence changes are forwarded as ``PUT {presence_url}/{user id}/presence`` (Handoff's
    receiver), since respond.io's API has no presence for Handoff to read."""
    presence_token: str | None = None
    """Bearer token for ``presence_url``."""
    api_message_times: TimeUnit = "ms"
    """How the message list writes a message's time: epoch milliseconds, or whole epoch seconds (respond.io's
    material pins down neither), so Handoff can be tried against both."""
    webhook_message_times: TimeUnit = "ms"
    """The same for the ``timestamp`` of a message in ``message.sent`` and ``message.received`` webhooks."""
    faults: Faults = Faults()
    """Faults of the API at start (none by default); ``PUT /sandbox/faults`` switches them at run time."""
    host: str = "127.0.0.1"
    port: int = Field(8090, ge=0, le=65535)
