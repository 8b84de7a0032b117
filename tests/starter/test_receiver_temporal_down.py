"""While Temporal is down the receiver answers 503 so respond.io retries; once it is up, the retry succeeds."""

import asyncio
import json
import socket

import pytest
from temporalio.client import WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from starter.binaries import temporal_binary
from tests.starter.receiving import KEYS, deliver, describe, new_contact, opened, receiving
from worker.connection import connect
from worker.settings import Settings
from workflows import search_attributes as sa

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_events_wait_for_temporal_and_succeed_once_it_is_up(monkeypatch):
    port = free_port()
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{port}")
    contact_id = new_contact()
    body = json.dumps(opened(contact_id)).encode()
    settings = Settings(webhook_keys=KEYS, task_queue="nobody-polls")
    async with receiving(settings, lambda: connect(settings)) as http:
        health = await http.get("/health")
        assert health.status_code == 503
        assert health.json() == {"status": "degraded", "temporal": "unreachable"}
        refused = await deliver(http, body)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert refused.json() == {"error": "Temporal is unreachable; the event was not processed, retry later"}

        temporal = await WorkflowEnvironment.start_local(
            port=port,
            dev_server_existing_path=temporal_binary("temporal"),
            search_attributes=sa.ALL,
            data_converter=pydantic_data_converter,
            dev_server_log_level="error",
        )
        try:
            retried = await deliver(http, body)
            assert retried.status_code == 200, retried.text
            assert retried.json()["result"] == "started"
            run = await describe(temporal.client, contact_id)
            assert run is not None and run.status == WorkflowExecutionStatus.RUNNING
            assert (await http.get("/health")).json() == {"status": "ok", "temporal": "reachable"}
        finally:
            await temporal.shutdown()


async def test_a_connect_that_hangs_answers_503_instead_of_holding_requests(monkeypatch):
    monkeypatch.setattr("starter.receiver.CONNECT_TIMEOUT_SECONDS", 0.2)

    async def black_hole():
        await asyncio.Event().wait()

    async with receiving(Settings(webhook_keys=KEYS, task_queue="nobody-polls"), black_hole) as http:
        answers = await asyncio.gather(*(deliver(http, opened(new_contact())) for _ in range(3)))
        assert [a.status_code for a in answers] == [503, 503, 503]
        assert (await http.get("/health")).status_code == 503
