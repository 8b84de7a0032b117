"""The receiver counts every webhook answer by event and status, and times it, on its /metrics."""

import json
import uuid

import httpx
import pytest

from starter.receiver import WEBHOOK_PATH, create_receiver
from starter.serving import serving
from tests.metrics.scrape import scrape, total
from tests.starter.receiving import KEYS, MAX_BODY, POLICY, deliver, event, new_contact, opened
from worker.settings import Settings

pytestmark = pytest.mark.integration

ANSWERS = "handoff_webhooks_total"


async def test_webhook_answers_are_counted_by_event_and_status(dev_server, served, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server.client.service_client.config.target_host)
    settings = Settings(webhook_keys=KEYS, task_queue=f"metrics-{uuid.uuid4()}", max_body_bytes=MAX_BODY)
    app = create_receiver(settings, POLICY, runtime=served.runtime)  # connects as in production, with the runtime
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as http:
        payload = opened(new_contact())
        assert (await deliver(http, payload)).status_code == 200
        assert (await deliver(http, payload)).status_code == 200  # the same opening again
        assert (await deliver(http, event("contact.tag.updated", new_contact()))).status_code == 200
        assert (await deliver(http, payload, key="not-a-configured-key")).status_code == 401
        assert (await deliver(http, b"{not json")).status_code == 400
        assert (await deliver(http, json.dumps(payload).encode() + b" " * MAX_BODY)).status_code == 413
        assert (await http.get("/health")).status_code == 200
        assert (await http.post(WEBHOOK_PATH.replace("respondio", "other"))).status_code == 404

    samples = await scrape(served.url)
    answers = {(s.labels["event"], s.labels["status"]): s.value for s in samples if s.name == ANSWERS}
    assert answers == {
        ("conversation.opened", "200"): 2,
        ("other", "200"): 1,
        ("unread", "401"): 1,
        ("unread", "400"): 1,
        ("unread", "413"): 1,
    }
    assert total(samples, "handoff_webhook_seconds_count", event="conversation.opened", status="200") == 2
    assert total(samples, "handoff_webhook_seconds_count") == 6, "only webhooks are timed"
    assert total(samples, "temporal_request_total") > 0, "the SDK's own client metrics are on the same page"
