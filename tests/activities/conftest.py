"""A fresh scripted respond.io for every test, and a client that talks to it without a network."""

import pytest

from activities.respondio import RespondIOClient
from activities.respondio_config import RespondIOConfig
from bench.ports import free_port
from tests.activities.fake_respondio import BASE_URL, TOKEN, FakeRespondIO


@pytest.fixture
def respondio() -> FakeRespondIO:
    return FakeRespondIO()


@pytest.fixture
def settings() -> RespondIOConfig:
    return RespondIOConfig(token=TOKEN, base_url=BASE_URL, timeout=2)


@pytest.fixture
def unreachable() -> RespondIOConfig:
    """Settings pointing at a local port nobody listens on: real sockets, a real connection failure."""
    port = free_port()
    return RespondIOConfig(token=TOKEN, base_url=f"http://127.0.0.1:{port}/v2")


@pytest.fixture
async def client(settings: RespondIOConfig, respondio: FakeRespondIO):
    async with RespondIOClient(settings, transport=respondio.transport) as api:
        yield api
