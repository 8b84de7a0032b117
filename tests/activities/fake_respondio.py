"""A scripted stand-in for respond.io's API v2, answering the client through ``httpx.MockTransport``."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

TOKEN = "test-token-5f0c2e"
"""The token tests give the client: the fake records it, and no error or repr may show it."""
BASE_URL = "http://respondio.test/v2"


@dataclass(frozen=True)
class Seen:
    """One request the fake received."""

    method: str
    path: str
    url: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Handler = Callable[[Seen], httpx.Response]


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    """Always the same answer: JSON, or plain text when ``body`` is a string."""
    if isinstance(body, str):
        return lambda seen: httpx.Response(status, text=body, headers=headers)
    return lambda seen: httpx.Response(status, json=body if body is not None else {}, headers=headers)


def pages(items: list[dict]) -> Handler:
    """respond.io-style pagination over ``items``: ``limit``, ``cursorId`` and a full ``pagination.next`` URL."""

    def handle(seen: Seen) -> httpx.Response:
        start, limit = int(seen.query.get("cursorId", 0)), int(seen.query["limit"])
        end = start + limit
        base = seen.url.split("?")[0]
        next_url = f"{base}?limit={limit}&cursorId={end}" if end < len(items) else None
        return httpx.Response(200, json={"items": items[start:end], "pagination": {"next": next_url, "previous": None}})

    return handle


class FakeRespondIO:
    """Records every request and answers with whatever the test scripted for its method and path."""

    def __init__(self) -> None:
        self.transport = httpx.MockTransport(self._handle)
        self.seen: list[Seen] = []
        self._handlers: dict[tuple[str, str], Handler] = {}

    def on(self, method: str, path: str, handler: Handler) -> None:
        self._handlers[(method, path)] = handler

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [seen for seen in self.seen if (seen.method, seen.path) == (method, path)]

    def _handle(self, request: httpx.Request) -> httpx.Response:
        seen = Seen(
            method=request.method,
            path=request.url.path.removeprefix("/v2"),
            url=str(request.url),
            query=dict(request.url.params),
            headers=dict(request.headers),
            body=json.loads(request.content) if request.content else None,
        )
        self.seen.append(seen)
        handler = self._handlers.get((seen.method, seen.path))
        if handler is None:
            return httpx.Response(
                501, json={"code": 501, "message": f"test scripted no answer for {seen.method} {seen.path}"}
            )
        return handler(seen)
