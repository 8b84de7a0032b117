"""The sandbox inbox as an ASGI app: respond.io's API, the sandbox routes, and webhook delivery."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from sandbox import api, world
from sandbox.errors import install_error_handlers
from sandbox.faults import FaultInjector
from sandbox.inbox import Inbox
from sandbox.ratelimit import RateLimiter
from sandbox.seed import load_seed
from sandbox.settings import SandboxSettings
from sandbox.store import Store
from sandbox.webhooks import Deliverer


def create_app(settings: SandboxSettings) -> FastAPI:
    """Build the app; the database is opened, seeded and drained while the app's lifespan runs."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.db)
        try:
            store.seed(load_seed(settings.seed))
            async with httpx.AsyncClient(timeout=10.0) as client:
                deliverer = Deliverer(store, client, settings)
                app.state.inbox = Inbox(store, deliverer.notify, settings)
                app.state.http = client
                for subscription in settings.webhooks:
                    app.state.inbox.subscribe(subscription)
                delivering = asyncio.create_task(deliverer.run())
                try:
                    yield
                finally:
                    delivering.cancel()
                    await asyncio.gather(delivering, return_exceptions=True)
        finally:
            store.close()

    app = FastAPI(title="Handoff sandbox inbox", lifespan=lifespan)
    app.state.settings = settings
    app.state.limiter = RateLimiter(settings.rate_limit)
    app.state.faults = FaultInjector(settings.faults)
    install_error_handlers(app)
    app.include_router(api.router)
    app.include_router(world.router)
    return app
