"""`handoff up --sandbox` serves the worker's and the receiver's metrics: the counters move as conversations
are escalated, and every metric the Grafana dashboard reads is on one of the two pages."""

import asyncio

import httpx
import pytest

from tests.deploy.dashboard import metric_names
from tests.integration.test_up import interrupt, start_up, until_up, up_ports
from tests.metrics.scrape import Sample, scrape, total, until

pytestmark = pytest.mark.integration

POLICY = """
name: metrics-up
trigger: {event: conversation.opened, sources: [contact]}
steps:
  - assign: {team: Tier 1}
  - wait: 4s
  - branch:
      all: [{conversation_status: open}, {no_reply_since_assignment: true}]
      then:
        - assign: {team: Tier 2}
        - comment: "No reply from {previous_assignee} in {waited}; reassigned to {assignee_mention}."
"""


def escalated_and_replied(samples: list[Sample]) -> bool:
    return all(
        (
            total(samples, "handoff_escalations_finished_total", outcome="escalated") == 1,
            total(samples, "handoff_escalations_finished_total", outcome="replied") == 1,
            any(s.name == "handoff_roster_waiting" for s in samples),  # sampled once the roster runs
        )
    )


async def test_the_metrics_of_a_running_stack_move(tmp_path, monkeypatch):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    monkeypatch.setenv("HANDOFF_POLICY", str(policy))
    ports = up_ports()
    worker_metrics = f"http://127.0.0.1:{ports['worker-metrics']}/metrics"
    receiver_metrics = f"http://127.0.0.1:{ports['receiver-metrics']}/metrics"

    process = await start_up(tmp_path / "stack", ports)
    try:
        banner = await until_up(process)
        assert worker_metrics in banner and receiver_metrics in banner
        before = await scrape(worker_metrics)
        assert total(before, "handoff_escalations_started_total") == 0
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{ports['sandbox']}", timeout=10) as inbox:
            unanswered, answered = 4301, 4302
            for contact_id in (unanswered, answered):
                opened = await inbox.post(f"/sandbox/contacts/{contact_id}/customer-message", json={"text": "hi"})
                assert opened.status_code == 200, opened.text
            agent = await assignee(inbox, answered)
            replied = await inbox.post(
                f"/sandbox/contacts/{answered}/agent-reply", json={"userId": agent, "text": "yes"}
            )
            assert replied.status_code == 200, replied.text

        worker = await until(worker_metrics, escalated_and_replied)
        receiver = await until(
            receiver_metrics,
            lambda s: total(s, "handoff_webhooks_total", event="conversation.opened", status="200") == 2,
        )
    finally:
        await interrupt(process)

    assert total(worker, "handoff_escalations_started_total", policy="metrics-up") == 2
    assert total(worker, "handoff_reassignment_lateness_seconds_count", level="1") == 1
    assert total(worker, "handoff_assignment_to_reply_seconds_count", level="0") == 1
    assert total(worker, "handoff_api_calls_total", endpoint="POST /contact/id:{id}/comment", status="200") == 1
    assert total(receiver, "handoff_webhooks_total", event="message.sent") >= 1
    assert any(s.name == "handoff_roster_agents_online" and s.labels["pool"] == "team:Tier 2" for s in worker)
    exported = {s.name for s in worker + receiver}
    assert metric_names() <= exported, f"the dashboard reads metrics no process exports: {metric_names() - exported}"


async def assignee(inbox: httpx.AsyncClient, contact_id: int, deadline: float = 30) -> int:
    """The agent the conversation is assigned to, as soon as it is."""
    async with asyncio.timeout(deadline):
        while True:
            contacts = (await inbox.get("/sandbox/state")).json()["contacts"]
            assigned = next((c["assigneeId"] for c in contacts if c["id"] == contact_id), None)
            if assigned:
                return int(assigned)
            await asyncio.sleep(0.05)
