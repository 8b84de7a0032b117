"""Fixtures for the webhook receiver: served over real HTTP, against the session's Temporal dev server."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from temporalio.client import Client

from tests.starter.receiving import KEYS, MAX_BODY, receiving
from worker.settings import Settings


@pytest.fixture
def task_queue() -> str:
    """A queue of the test's own, so only a worker the test starts runs its escalations."""
    return f"receiver-{uuid.uuid4()}"


@pytest.fixture
async def receiver(dev_server, task_queue) -> AsyncIterator[httpx.AsyncClient]:
    """A receiver with two subscription keys and a small body limit, connected to the dev server."""
    settings = Settings(webhook_keys=KEYS, task_queue=task_queue, max_body_bytes=MAX_BODY)

    async def connect() -> Client:
        return dev_server.client

    async with receiving(settings, connect) as http:
        yield http
