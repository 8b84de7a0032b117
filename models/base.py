"""The base of every shared model: frozen, so a value in workflow history never changes under it."""

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)
