"""Serving an ASGI app with uvicorn inside an asyncio program (the receiver, and in tests any app)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI


@asynccontextmanager
async def serving(app: FastAPI, port: int = 0, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Serve an ASGI app with uvicorn on this event loop; yield its base URL; stop it cleanly on exit.

    Port 0 picks a free port; the URL carries the port actually bound.
    """
    # log_config=None: uvicorn's lines go through the process's own logging (format, redaction).
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on", log_config=None)
    server = uvicorn.Server(config)
    task = asyncio.create_task(_serve(server))
    while not server.started:
        if task.done():
            await task  # raises why it could not start
            raise RuntimeError("the server stopped before it started serving")
        await asyncio.sleep(0.005)
    bound_host, bound_port = server.servers[0].sockets[0].getsockname()[:2]
    try:
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.should_exit = True
        await task


async def _serve(server: uvicorn.Server) -> None:
    try:
        await server.serve()
    except SystemExit as exit_:  # uvicorn exits the process when it cannot start; here, raise instead
        raise RuntimeError("the server could not start (see the log above)") from exit_
