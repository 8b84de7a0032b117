"""How to reach respond.io's API, read from ``HANDOFF_RESPONDIO_*`` environment variables."""

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflows.durations import Duration
from workflows.roster_types import RosterConfig


class RespondIOSettings(BaseSettings):
    """The API token stays a ``SecretStr``: reprs, logs and errors show it masked."""

    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    respondio_token: SecretStr = Field(default=None, validate_default=True)
    """API access token of the respond.io workspace (Settings > Integrations > Developer API)."""
    respondio_base_url: str = "https://api.respond.io/v2"
    """API root; point it at the sandbox inbox to run without respond.io."""
    respondio_timeout: float = Field(default=10, gt=0)
    """Seconds one API call may take before it fails and is retried."""

    @field_validator("respondio_token", mode="before")
    @classmethod
    def _token_is_set(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("no respond.io API token: set HANDOFF_RESPONDIO_TOKEN to the workspace's API access token")
        return value


class RoutingSettings(BaseSettings):
    """How the routing roster judges presence and refreshes the agent list (``HANDOFF_*``)."""

    model_config = SettingsConfigDict(env_prefix="HANDOFF_")

    inactivity_timeout: Duration = RosterConfig.model_fields["inactivity_timeout"].default
    """An agent who sent a message counts as online this long afterwards (respond.io offers 1m to 60m)."""
    roster_sync_every: Duration = RosterConfig.model_fields["sync_every"].default
    """How often the roster re-reads the agents and teams from respond.io."""

    def roster_config(self) -> RosterConfig:
        return RosterConfig(inactivity_timeout=self.inactivity_timeout, sync_every=self.roster_sync_every)
