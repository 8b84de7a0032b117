"""The seed fixture: the channels, teams and agents a fresh sandbox starts with."""

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field


class _Fixture(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SeedChannel(_Fixture):
    id: int
    name: str
    source: str


class SeedAgent(_Fixture):
    id: int
    email: str
    first_name: str = Field(alias="firstName")
    last_name: str = Field(alias="lastName")
    role: Literal["owner", "manager", "agent"] = "agent"
    online: bool = True


class SeedTeam(_Fixture):
    id: int
    name: str
    agents: list[SeedAgent] = []


class Seed(_Fixture):
    channels: list[SeedChannel] = []
    teams: list[SeedTeam] = []


def load_seed(path: Path) -> Seed:
    """Read and validate a seed fixture; a broken file fails the start with pydantic's message."""
    return Seed.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {})
