"""The exporter every process serves: its setting, its errors, and Handoff's definitions on it."""

import socket

import pytest
from pydantic import ValidationError

from models.agents import Agent
from models.metrics import Metric
from roster.metrics import RosterGauges
from roster.state import AgentStatus, RosterSnapshot
from tests.metrics.scrape import HANDOFF_METRICS, scrape, total
from worker.metrics import MetricsUnavailable, metrics_runtime
from worker.settings import Settings


def test_metrics_are_off_unless_an_address_is_set(monkeypatch):
    monkeypatch.delenv("HANDOFF_METRICS_ADDRESS", raising=False)
    assert metrics_runtime(Settings(), HANDOFF_METRICS) is None
    assert metrics_runtime(Settings(metrics_address=" "), HANDOFF_METRICS) is None


@pytest.mark.parametrize("address", ["localhost:9464", "9464", "0.0.0.0", "0.0.0.0:0", "::1:9464", "0.0.0.0:99999"])
def test_an_address_that_is_not_ip_and_port_names_the_setting(monkeypatch, address):
    monkeypatch.setenv("HANDOFF_METRICS_ADDRESS", address)
    with pytest.raises(ValidationError) as error:
        Settings()
    assert "metrics_address" in str(error.value) and "is not IP:PORT" in str(error.value)


@pytest.mark.parametrize("address", ["0.0.0.0:9464", "127.0.0.1:1", "[::]:9464"])
def test_ip_and_port_are_accepted(address):
    assert Settings(metrics_address=address).metrics_address == address


def test_a_port_in_use_is_an_error_at_start_that_names_the_setting():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        address = f"127.0.0.1:{taken.getsockname()[1]}"
        with pytest.raises(MetricsUnavailable, match="HANDOFF_METRICS_ADDRESS") as error:
            metrics_runtime(Settings(metrics_address=address), HANDOFF_METRICS)
    assert address in str(error.value)


def test_every_definition_is_prefixed_and_named_once():
    names = [metric.name for metric in HANDOFF_METRICS]
    assert len(names) == len(set(names))
    with pytest.raises(ValueError, match="must start with"):
        Metric("escalations", "counter", "no prefix")
    with pytest.raises(ValueError, match="buckets"):
        Metric("handoff_late_seconds", "histogram", "a histogram without buckets")


async def test_histograms_use_their_own_buckets(served):
    [lateness] = [metric for metric in HANDOFF_METRICS if metric.name == "handoff_reassignment_lateness_seconds"]
    lateness.histogram(served.runtime.metric_meter).record(42.0, {"level": "1"})
    samples = await scrape(served.url)
    bounds = {s.labels["le"] for s in samples if s.name == f"{lateness.name}_bucket"}
    assert bounds == {f"{bound:g}" for bound in lateness.buckets} | {"+Inf"}
    assert total(samples, f"{lateness.name}_sum", level="1") == 42.0


def agent(agent_id: int, team: str | None, online: bool) -> AgentStatus:
    person = Agent(id=agent_id, email=f"{agent_id}@example.com", name=f"Agent {agent_id}", team=team)
    return AgentStatus(agent=person, online=online, open=0, active_until=None)


async def test_roster_gauges_show_the_queue_and_who_is_online_per_pool(served):
    gauges = RosterGauges(served.runtime.metric_meter, "handoff")
    gauges.show(
        RosterSnapshot(
            as_of="2025-03-01T09:00:00Z",
            agents=[
                agent(1, "Tier 1", True),
                agent(2, "Tier 1", False),
                agent(3, "Tier 2", True),
                agent(4, None, True),
            ],
            cursors={},
            waiting=["handoff-contact-7", "handoff-contact-8"],
        )
    )
    samples = await scrape(served.url)
    assert total(samples, "handoff_roster_waiting", task_queue="handoff") == 2
    online = {s.labels["pool"]: s.value for s in samples if s.name == "handoff_roster_agents_online"}
    assert online == {"workspace": 3, "team:Tier 1": 1, "team:Tier 2": 1}

    gauges.show(RosterSnapshot(as_of="2025-03-01T09:01:00Z", agents=[agent(1, "Tier 1", True)], cursors={}, waiting=[]))
    samples = await scrape(served.url)
    online = {s.labels["pool"]: s.value for s in samples if s.name == "handoff_roster_agents_online"}
    assert online == {"workspace": 1, "team:Tier 1": 1, "team:Tier 2": 0}, "a pool gone from the roster shows 0"
    assert total(samples, "handoff_roster_waiting") == 0
