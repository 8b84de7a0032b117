"""Running the sandbox: in-process for tests and the demo, or on its own with ``main()``."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from starter.serving import serving


@asynccontextmanager
async def running_sandbox(settings: SandboxSettings) -> AsyncIterator[str]:
    """Run the sandbox inbox on 127.0.0.1 (``settings.port``, 0 for a free one) and yield its base URL."""
    async with serving(create_app(settings), port=settings.port) as url:
        yield url


def main() -> None:
    """Serve the sandbox with settings from ``HANDOFF_SANDBOX_*`` until interrupted."""
    settings = SandboxSettings()
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port)


if __name__ == "__main__":
    main()
