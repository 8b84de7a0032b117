"""The bare flow's worker, run as its own process (``python -m bench.bare_worker``) as Handoff's worker is.

It reads Handoff's settings, so both workers have the same tuning (``HANDOFF_MAX_*``), API client
(``HANDOFF_RESPONDIO_*``) and connection (``TEMPORAL_ADDRESS``); ``HANDOFF_TASK_QUEUE`` names its queue.
"""

import asyncio
import os
import signal
import sys
from datetime import timedelta

from temporalio.worker import Worker

from activities.respondio import RespondIOClient
from bench.bare_activities import BareActivities
from bench.bare_workflow import BareEscalation
from worker.connection import connect
from worker.settings import Settings


async def run(settings: Settings) -> None:
    """Poll until SIGTERM or SIGINT."""
    client = await connect(settings)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with RespondIOClient(settings.respondio()) as api:
        bare = BareActivities(api)
        async with Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[BareEscalation],
            activities=[bare.assign, bare.status, bare.comment],
            max_concurrent_activities=settings.max_concurrent_activities,
            max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
            max_cached_workflows=settings.max_cached_workflows,
            graceful_shutdown_timeout=timedelta(seconds=settings.graceful_shutdown_seconds),
        ):
            await stop.wait()


if __name__ == "__main__":
    asyncio.run(run(Settings()))
    sys.stdout.flush()
    os._exit(0)  # the SDK's native runtime can abort during interpreter teardown (sdk-python#300)
