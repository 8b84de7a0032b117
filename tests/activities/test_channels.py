"""The channel directory: one listing of the workspace's channels serves reads for minutes, a channel connected
since is looked up again, and a listing respond.io refuses for good leaves bare ids."""

import pytest

from activities.channels import FRESH_FOR_SECONDS, RELIST_AFTER_SECONDS, ChannelDirectory
from activities.respondio import RespondIOUnauthorized, RespondIOUnavailable
from models.conversation import Channel
from tests.activities.fake_respondio import answer, pages

CHANNELS = "/space/channel"
WHATSAPP = {"id": 1, "name": "Support WhatsApp", "source": "whatsapp", "created_at": 1700000000}
MESSENGER = {"id": 2, "name": "Shop Messenger", "source": "facebook", "created_at": 1700000000}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def test_one_listing_serves_until_it_is_stale(respondio, client, clock):
    respondio.on("GET", CHANNELS, pages([WHATSAPP, MESSENGER]))
    directory = ChannelDirectory(client, clock)

    assert await directory.channel(2) == Channel(id=2, name="Shop Messenger", source="facebook")
    clock.now += FRESH_FOR_SECONDS - 1
    assert await directory.channel(1) == Channel(id=1, name="Support WhatsApp", source="whatsapp")
    assert len(respondio.requests_to("GET", CHANNELS)) == 1
    clock.now += 1
    await directory.channel(1)
    assert len(respondio.requests_to("GET", CHANNELS)) == 2


async def test_an_unknown_channel_is_looked_up_again_but_not_at_every_read(respondio, client, clock):
    respondio.on("GET", CHANNELS, pages([WHATSAPP]))
    directory = ChannelDirectory(client, clock)

    assert await directory.channel(3) == Channel(id=3)
    assert await directory.channel(3) == Channel(id=3)
    assert len(respondio.requests_to("GET", CHANNELS)) == 1
    clock.now += RELIST_AFTER_SECONDS
    respondio.on("GET", CHANNELS, pages([WHATSAPP, {"id": 3, "name": "New LINE", "source": "line"}]))
    assert await directory.channel(3) == Channel(id=3, name="New LINE", source="line")


async def test_a_listing_refused_for_good_names_by_id_and_is_asked_again_a_minute_later(respondio, client, clock):
    respondio.on("GET", CHANNELS, answer(404, {"code": 404, "message": "Not found"}))
    directory = ChannelDirectory(client, clock)

    assert await directory.channel(1) == Channel(id=1)
    assert await directory.channel(1) == Channel(id=1)
    assert len(respondio.requests_to("GET", CHANNELS)) == 1
    clock.now += RELIST_AFTER_SECONDS
    respondio.on("GET", CHANNELS, pages([WHATSAPP]))
    assert await directory.channel(1) == Channel(id=1, name="Support WhatsApp", source="whatsapp")


async def test_a_token_without_access_fails_the_read_to_be_retried_once_fixed(respondio, client, clock):
    respondio.on("GET", CHANNELS, answer(403, {"code": 403, "message": "Forbidden"}))

    with pytest.raises(RespondIOUnauthorized):
        await ChannelDirectory(client, clock).channel(1)


async def test_a_failure_worth_retrying_fails_the_read(respondio, client, clock):
    respondio.on("GET", CHANNELS, answer(503, {"code": 503, "message": "Unavailable"}))

    with pytest.raises(RespondIOUnavailable):
        await ChannelDirectory(client, clock).channel(1)


async def test_names_that_are_not_text_are_left_out(respondio, client, clock):
    respondio.on("GET", CHANNELS, pages([{"id": 1, "name": "", "source": 7}, {"name": "no id"}]))

    assert await ChannelDirectory(client, clock).channel(1) == Channel(id=1)
