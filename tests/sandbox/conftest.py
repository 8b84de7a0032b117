"""Fixtures for the sandbox inbox tests: a shared sandbox over real HTTP, sandboxes of a test's own,
a webhook receiver, and polling with a deadline."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from sandbox.server import running_sandbox, serving
from sandbox.settings import SandboxSettings

TOKEN = "test-token"


@pytest.fixture
def token() -> str:
    """The bearer token every test sandbox accepts."""
    return TOKEN


def make_settings(**overrides: Any) -> SandboxSettings:
    """Settings for a quick in-memory sandbox on a free port, with fast webhook retries."""
    defaults = dict(
        db=":memory:",
        port=0,
        token=TOKEN,
        rate_limit=1000,
        webhooks=[],
        retry_initial=0.02,
        retry_max=0.2,
        max_attempts=12,
    )
    return SandboxSettings(**{**defaults, **overrides})


@pytest.fixture
def settings() -> Callable[..., SandboxSettings]:
    """Settings for a throwaway, quick sandbox of a test's own; keyword arguments override."""
    return make_settings


@pytest.fixture(scope="session")
async def sandbox() -> AsyncIterator[str]:
    """The base URL of an in-memory sandbox shared by the tests (each uses its own contacts)."""
    async with running_sandbox(make_settings()) as url:
        yield url


_contact_ids = itertools.count(1000)


@pytest.fixture
def contact_id() -> int:
    """A contact id no other test uses."""
    return next(_contact_ids)


@pytest.fixture
async def contact(world, contact_id) -> int:
    """A new contact in the shared sandbox, with an open conversation and one incoming message."""
    response = await world.post(f"/contacts/{contact_id}/customer-message", json={"text": "hi"})
    assert response.status_code == 200, response.text
    return contact_id


@pytest.fixture(scope="session")
async def api(sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the shared sandbox's respond.io API (``/v2``), authorised."""
    async with httpx.AsyncClient(base_url=f"{sandbox}/v2", headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield client


@pytest.fixture(scope="session")
async def world(sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the shared sandbox's own routes (``/sandbox``)."""
    async with httpx.AsyncClient(base_url=f"{sandbox}/sandbox") as client:
        yield client


@dataclass
class Delivery:
    path: str
    headers: httpx.Headers
    body: bytes
    answered: int


@dataclass
class Receiver:
    """A webhook endpoint that records every request and answers ``answers`` in turn, then 200."""

    url: str = ""
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    requests: list[Delivery] = field(default_factory=list)

    def accepted(self, path: str | None = None) -> list[Delivery]:
        return [d for d in self.requests if d.answered == 200 and (path is None or d.path == path)]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    state = Receiver()
    app = FastAPI()

    @app.post("/{path:path}")
    async def receive(path: str, request: Request) -> Response:
        status, headers = state.answers.pop(0) if state.answers else (200, {})
        state.requests.append(Delivery(f"/{path}", request.headers, await request.body(), status))
        return Response(status_code=status, headers=headers)

    async with serving(app) as url:
        state.url = url
        yield state


@pytest.fixture
def eventually() -> Callable[..., Awaitable[Any]]:
    """Poll ``check`` until it returns something truthy, failing after ``timeout`` seconds."""

    async def wait(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while not (result := await check()):
            assert time.monotonic() < deadline, "condition not met in time"
            await asyncio.sleep(0.01)
        return result

    return wait
