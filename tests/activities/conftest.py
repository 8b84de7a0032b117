"""One fake respond.io server for the whole session, its script cleared before every test."""

import socket

import pytest

from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from tests.activities.fake_respondio import TOKEN, FakeRespondIO, serving


@pytest.fixture(scope="session")
async def fake_server():
    async with serving(FakeRespondIO()) as fake:
        yield fake


@pytest.fixture
def respondio(fake_server: FakeRespondIO) -> FakeRespondIO:
    fake_server.reset()
    return fake_server


@pytest.fixture
def settings(respondio: FakeRespondIO) -> RespondIOConfig:
    return RespondIOConfig(token=TOKEN, base_url=respondio.base_url, timeout=2)


@pytest.fixture
def unreachable() -> RespondIOConfig:
    """Settings pointing at a local port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return RespondIOConfig(token=TOKEN, base_url=f"http://127.0.0.1:{port}/v2")


@pytest.fixture
async def client(settings: RespondIOConfig):
    async with RespondIOClient(settings) as api:
        yield api
