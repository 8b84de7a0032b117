"""docker-compose.yml cannot run here (no Docker engine): check that it agrees with the project."""

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from starter.cli import app
from tests.deploy.dashboard import DASHBOARD, metric_names
from tests.metrics.scrape import HANDOFF_METRICS
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


PROMETHEUS = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text())


def bind_mounts() -> list[tuple[str, Path, str]]:
    """Every file of this repository a service mounts: (service, path in the repository, path in the container)."""
    mounts = []
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith("./"):
                mounts.append((name, ROOT / source, target))
    return mounts


def metrics_port(service: str) -> int:
    return int(SERVICES[service]["environment"]["HANDOFF_METRICS_ADDRESS"].rpartition(":")[2])


def test_every_mounted_file_is_in_the_repository():
    mounted = bind_mounts()
    assert {name for name, _, _ in mounted} >= {"prometheus", "grafana"}
    missing = [str(path.relative_to(ROOT)) for _, path, _ in mounted if not path.is_file()]
    assert not missing


@pytest.mark.parametrize("name", HANDOFF_SERVICES)
def test_prometheus_scrapes_the_metrics_port_the_service_exposes(name):
    port = metrics_port(name)
    assert str(port) in SERVICES[name]["expose"]
    assert SERVICES[name]["environment"]["HANDOFF_METRICS_ADDRESS"] == f"0.0.0.0:{port}"
    scraped = {
        (target, config["port"])
        for job in PROMETHEUS["scrape_configs"]
        for config in job.get("dns_sd_configs", [])
        for target in config["names"]
    }
    assert (name, port) in scraped


def test_prometheus_scrapes_only_services_of_the_compose_file():
    for job in PROMETHEUS["scrape_configs"]:
        for config in job["dns_sd_configs"]:
            assert set(config["names"]) <= SERVICES.keys(), job["job_name"]


def test_grafana_loads_the_dashboard_from_where_compose_mounts_it():
    mounted = {target: path for service, path, target in bind_mounts() if service == "grafana"}
    provider_file = next(path for target, path in mounted.items() if "/provisioning/dashboards/" in target)
    [provider] = yaml.safe_load(provider_file.read_text())["providers"]
    folder = provider["options"]["path"]
    assert any(target.startswith(f"{folder}/") and path == DASHBOARD for target, path in mounted.items())


def test_the_dashboard_reads_the_provisioned_data_source():
    mounted = {target: path for service, path, target in bind_mounts() if service == "grafana"}
    source_file = next(path for target, path in mounted.items() if "/provisioning/datasources/" in target)
    [source] = yaml.safe_load(source_file.read_text())["datasources"]
    assert source["url"] == "http://prometheus:9090" and "prometheus" in SERVICES
    board = json.loads(DASHBOARD.read_text())
    used = {json.dumps(panel["datasource"]) for panel in board["panels"]}
    assert used == {json.dumps({"type": "prometheus", "uid": source["uid"]})}


def test_every_handoff_metric_the_dashboard_uses_is_defined():
    """Checked here against the definitions; tests/integration/test_up_metrics.py scrapes them from processes."""
    defined = {sample for metric in HANDOFF_METRICS for sample in metric.samples}
    used = {name for name in metric_names() if name.startswith("handoff_")}
    assert used and used <= defined, used - defined


def test_the_dashboard_shows_what_operators_asked_for():
    used = metric_names()
    for needed in (
        "handoff_escalations_finished_total",
        "handoff_reassignment_lateness_seconds_bucket",
        "handoff_roster_waiting",
        "handoff_api_calls_total",
    ):
        assert needed in used
