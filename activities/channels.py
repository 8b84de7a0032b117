"""The workspace's channels by id, so a read can say which channel (WhatsApp, Messenger, ...) a customer wrote on."""

import asyncio
import time
from collections.abc import Callable

from temporalio import activity

from activities.respondio import JSONObject, RespondIOClient, RespondIORejected
from models.conversation import Channel

FRESH_FOR_SECONDS = 600.0
"""How long one listing of the channels serves: channels are connected rarely, and many reads name one."""
RELIST_AFTER_SECONDS = 60.0
"""An id missing from a listing at least this old lists the channels again: it may have been connected since."""


def channel_id(value: object) -> int | None:
    """A channel id as respond.io writes it: a number in its SDK's types, a string in its n8n node's channel list."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class ChannelDirectory:
    """Names channels from ``GET /space/channel``, listed at most once per ``FRESH_FOR_SECONDS`` for the worker.

    A listing respond.io refuses for good (a non-retryable 4xx: no such endpoint for this token) names channels by
    id only until the next listing is due; a failure worth retrying fails the read instead, so a channel condition
    is not checked against a bare id when a retry would have named it.
    """

    def __init__(self, client: RespondIOClient, clock: Callable[[], float] = time.monotonic):
        self._client = client
        self._clock = clock
        self._channels: dict[int, JSONObject] = {}
        self._listed_at: float | None = None
        self._listing = asyncio.Lock()  # concurrent reads share one listing rather than each spend a request

    async def channel(self, channel_id: int) -> Channel:
        async with self._listing:
            if self._due(channel_id):
                await self._list()
        found = self._channels.get(channel_id, {})
        return Channel(id=channel_id, name=_text(found.get("name")), source=_text(found.get("source")))

    def _due(self, channel_id: int) -> bool:
        if self._listed_at is None:
            return True
        age = self._clock() - self._listed_at
        return age >= FRESH_FOR_SECONDS or (channel_id not in self._channels and age >= RELIST_AFTER_SECONDS)

    async def _list(self) -> None:
        try:
            listed = await self._client.list_channels()
        except RespondIORejected as error:
            if error.retryable:
                raise
            activity.logger.warning("respond.io refused the channel list, so channels are named by id only: %s", error)
            listed = []
        by_id = {channel_id(channel.get("id")): channel for channel in listed}
        self._channels = {id_: channel for id_, channel in by_id.items() if id_ is not None}
        self._listed_at = self._clock()
