"""docker-compose.yml cannot run here (no Docker engine): check that it agrees with the project."""

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from starter.cli import app
from worker.settings import Settings
from workflows import search_attributes as sa

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
HANDOFF_SERVICES = [name for name, service in SERVICES.items() if service.get("build")]


def settings_variables() -> set[str]:
    return {f"HANDOFF_{field}".upper() for field in Settings.model_fields}


def test_handoff_services_are_the_worker_and_the_receiver():
    assert sorted(HANDOFF_SERVICES) == ["receiver", "worker"]


@pytest.mark.parametrize("name", HANDOFF_SERVICES)
def test_every_command_exists(name):
    result = CliRunner().invoke(app, [*SERVICES[name]["command"], "--help"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", HANDOFF_SERVICES)
def test_every_handoff_variable_is_a_setting(name):
    variables = {key for key in SERVICES[name]["environment"] if key.startswith("HANDOFF_")}
    assert variables and variables <= settings_variables(), variables - settings_variables()


def test_required_secrets_fail_clearly_when_missing():
    assert "${HANDOFF_RESPONDIO_TOKEN:?" in SERVICES["worker"]["environment"]["HANDOFF_RESPONDIO_TOKEN"]
    assert "${HANDOFF_WEBHOOK_KEYS:?" in SERVICES["receiver"]["environment"]["HANDOFF_WEBHOOK_KEYS"]


def test_policy_path_exists_in_the_image():
    policy = SERVICES["receiver"]["environment"]["HANDOFF_POLICY"]
    assert policy.startswith("/app/") and (ROOT / policy.removeprefix("/app/")).is_file()


def test_every_search_attribute_is_registered_with_its_type():
    script = " ".join(SERVICES["temporal-search-attributes"]["command"][2:])
    registered = {}
    for create in re.findall(r"search-attribute create ([^()&|]+)", script):
        words = shlex.split(create)
        kind = words[words.index("--type") + 1]
        registered |= {words[i + 1]: kind for i, word in enumerate(words) if word == "--name"}
    assert registered == {key.name: sa.cli_type(key) for key in sa.ALL}


def test_image_contains_every_package():
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"][
        "packages"
    ]
    copied = set(re.findall(r"^COPY (\S+) \1$", (ROOT / "Dockerfile").read_text(), re.M))
    assert set(packages) | {"policies"} <= copied
