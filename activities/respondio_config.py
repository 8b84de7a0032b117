"""How to reach respond.io's API: the root, the token and how long a call may take."""

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class RespondIOConfig(BaseModel):
    """The token stays a ``SecretStr``: reprs, logs and errors show it masked."""

    model_config = ConfigDict(frozen=True)

    token: SecretStr = Field(validate_default=True)
    """API access token of the respond.io workspace (Settings > Integrations > Developer API)."""
    base_url: str = "https://api.respond.io/v2"
    """API root; point it at the sandbox inbox to run without respond.io."""
    timeout: float = Field(default=10, gt=0)
    """Seconds one API call may take before it fails and is retried."""

    @field_validator("token", mode="before")
    @classmethod
    def _token_is_set(cls, value: object) -> object:
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if not isinstance(raw, str) or not raw.strip():
            raise ValueError("no respond.io API token: set HANDOFF_RESPONDIO_TOKEN to the workspace's API access token")
        return value
