"""While Temporal cannot answer (down, stopped or frozen) the receiver answers 503 with Retry-After within
HANDOFF_TEMPORAL_TIMEOUT, so respond.io retries; once Temporal answers again, the retry succeeds."""

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from bench.ports import free_port, free_ports
from models.ids import escalation_workflow_id
from starter.binaries import temporal_binary
from starter.stack import dev_server_args, temporal_answers
from tests.starter.receiving import KEYS, deliver, describe, new_contact, opened, receiving
from worker.connection import connect
from worker.settings import Settings
from workflows import search_attributes as sa

pytestmark = pytest.mark.integration

ISSUE_BOUND_SECONDS = 5
"""Webhooks are answered within 5 s whatever Temporal does."""
TIMEOUT = 1.0
"""The receiver's HANDOFF_TEMPORAL_TIMEOUT in these tests: what bounds each answer, well under the 5 s."""


def test_the_default_timeout_answers_within_the_bound():
    assert Settings.model_fields["temporal_timeout"].default < ISSUE_BOUND_SECONDS


async def timed(answer):
    started = time.monotonic()
    response = await answer
    return response, time.monotonic() - started


def assert_retry_later(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"


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
        assert_retry_later(refused)
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


async def test_a_connect_that_hangs_answers_503_instead_of_holding_requests():
    async def black_hole():
        await asyncio.Event().wait()

    settings = Settings(webhook_keys=KEYS, task_queue="nobody-polls", temporal_timeout=0.2)
    async with receiving(settings, black_hole) as http:
        answers = await asyncio.gather(*(deliver(http, opened(new_contact())) for _ in range(3)))
        assert [a.status_code for a in answers] == [503, 503, 503]
        assert (await http.get("/health")).status_code == 503


async def test_a_stopped_temporal_is_answered_503_within_the_timeout(monkeypatch):
    port = free_port()
    monkeypatch.setenv("TEMPORAL_ADDRESS", f"127.0.0.1:{port}")
    settings = Settings(webhook_keys=KEYS, task_queue="nobody-polls", temporal_timeout=TIMEOUT)
    temporal = await WorkflowEnvironment.start_local(
        port=port,
        dev_server_existing_path=temporal_binary("temporal"),
        search_attributes=sa.ALL,
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    async with receiving(settings, lambda: connect(settings)) as http:
        try:
            connected = await deliver(http, opened(new_contact()))
            assert connected.status_code == 200, connected.text
        finally:
            await temporal.shutdown()

        for event in (opened(new_contact()), {**opened(new_contact()), "event_type": "conversation.closed"}):
            refused, took = await timed(deliver(http, event))
            assert_retry_later(refused)
            assert took < ISSUE_BOUND_SECONDS, f"answered after {took:.1f} s"
        health, took = await timed(http.get("/health"))
        assert health.status_code == 503 and health.json()["temporal"] == "unreachable"
        assert took < ISSUE_BOUND_SECONDS


@asynccontextmanager
async def dev_server_process(tmp_path) -> AsyncIterator[tuple[str, int]]:
    """A dev server in a process of the test's own, so the test can freeze it; always thawed and stopped."""
    port, ui_port, http_port, metrics_port = free_ports(4)
    log = (tmp_path / "temporal.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        temporal_binary("temporal"),
        *dev_server_args(port, ui_port, tmp_path, http_port=http_port, metrics_port=metrics_port),
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
    )
    address = f"127.0.0.1:{port}"
    try:
        async with asyncio.timeout(60):
            while not await _answers(address):
                assert process.returncode is None, (tmp_path / "temporal.log").read_text()
                await asyncio.sleep(0.2)
        yield address, process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGCONT)
            process.terminate()
            await process.wait()
        log.close()


async def _answers(address: str) -> bool:
    try:
        return await temporal_answers(address)
    except RuntimeError:
        return False


async def test_a_frozen_temporal_is_answered_503_and_the_retry_starts_one_escalation(monkeypatch, tmp_path):
    async with dev_server_process(tmp_path) as (address, pid):
        monkeypatch.setenv("TEMPORAL_ADDRESS", address)
        settings = Settings(webhook_keys=KEYS, task_queue="nobody-polls", temporal_timeout=TIMEOUT)
        contact_id = new_contact()
        body = json.dumps(opened(contact_id)).encode()
        async with receiving(settings, lambda: connect(settings)) as http:
            connected = await deliver(http, opened(new_contact()))
            assert connected.status_code == 200, connected.text

            os.kill(pid, signal.SIGSTOP)
            try:
                answers, took = await timed(asyncio.gather(*(deliver(http, body) for _ in range(3))))
                for refused in answers:
                    assert_retry_later(refused)
                assert took < ISSUE_BOUND_SECONDS, f"answered after {took:.1f} s"
                health, took = await timed(http.get("/health"))
                assert health.status_code == 503 and health.json()["temporal"] == "unreachable"
                assert took < ISSUE_BOUND_SECONDS
            finally:
                os.kill(pid, signal.SIGCONT)

            async with asyncio.timeout(30):  # the sender retries until Temporal answers again
                while (retried := await deliver(http, body)).status_code != 200:
                    assert_retry_later(retried)
                    await asyncio.sleep(0.2)
            assert retried.json()["result"] in ("started", "delivered"), retried.text
            assert (await http.get("/health")).json()["temporal"] == "reachable"

        client = await Client.connect(address)
        runs = [run async for run in client.list_workflows(f"WorkflowId = '{escalation_workflow_id(contact_id)}'")]
        assert len(runs) == 1, runs
