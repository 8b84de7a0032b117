"""A scripted stand-in for respond.io's API v2, served over real HTTP by uvicorn on a free local port."""

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse

TOKEN = "test-token-5f0c2e"
"""The token tests give the client: the server records it, and no error or repr may show it."""


@dataclass(frozen=True)
class Seen:
    """One request the server received."""

    method: str
    path: str
    url: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Handler = Callable[[Seen], Response]


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Handler:
    """Always the same answer: JSON, or plain text when ``body`` is a string."""
    if isinstance(body, str):
        return lambda seen: PlainTextResponse(body, status_code=status, headers=headers)
    return lambda seen: JSONResponse(body if body is not None else {}, status_code=status, headers=headers)


def pages(items: list[dict]) -> Handler:
    """respond.io-style pagination over ``items``: ``limit``, ``cursorId`` and a full ``pagination.next`` URL."""

    def handle(seen: Seen) -> Response:
        start, limit = int(seen.query.get("cursorId", 0)), int(seen.query["limit"])
        end = start + limit
        base = seen.url.split("?")[0]
        next_url = f"{base}?limit={limit}&cursorId={end}" if end < len(items) else None
        return JSONResponse({"items": items[start:end], "pagination": {"next": next_url, "previous": None}})

    return handle


class FakeRespondIO:
    """Records every request and answers with whatever the test scripted for its method and path."""

    def __init__(self) -> None:
        self.app = FastAPI()
        self.app.add_api_route("/v2/{path:path}", self._handle, methods=["GET", "POST"])
        self.base_url = ""
        self.seen: list[Seen] = []
        self._handlers: dict[tuple[str, str], Handler] = {}

    def on(self, method: str, path: str, handler: Handler) -> None:
        self._handlers[(method, path)] = handler

    def reset(self) -> None:
        self.seen.clear()
        self._handlers.clear()

    def requests_to(self, method: str, path: str) -> list[Seen]:
        return [seen for seen in self.seen if (seen.method, seen.path) == (method, path)]

    async def _handle(self, path: str, request: Request) -> Response:
        raw = await request.body()
        seen = Seen(
            method=request.method,
            path=f"/{path}",
            url=str(request.url),
            query=dict(request.query_params),
            headers=dict(request.headers),
            body=await request.json() if raw else None,
        )
        self.seen.append(seen)
        handler = self._handlers.get((seen.method, seen.path))
        if handler is None:
            return JSONResponse({"code": 501, "message": f"test scripted no answer for {seen.method} {seen.path}"}, 501)
        return handler(seen)


@asynccontextmanager
async def serving(fake: FakeRespondIO) -> AsyncIterator[FakeRespondIO]:
    """Serve ``fake`` on 127.0.0.1 at a port the OS picks; ``fake.base_url`` is set while serving."""
    server = uvicorn.Server(uvicorn.Config(fake.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            raise RuntimeError("the fake respond.io server stopped before serving") from task.exception()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.base_url = f"http://127.0.0.1:{port}/v2"
    try:
        yield fake
    finally:
        server.should_exit = True
        await task
