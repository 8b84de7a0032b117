"""``handoff worker``: runs workflows and activities until SIGINT or SIGTERM."""

import asyncio
import logging
import signal

from activities.respondio import RespondIOClient
from activities.settings import RespondIOSettings
from worker.activities import handoff_activities
from worker.build import build_worker
from worker.connection import connect
from worker.settings import WorkerSettings

log = logging.getLogger("handoff.worker")


async def run_worker(settings: WorkerSettings | None = None) -> None:
    """Poll the task queue until told to stop, then let running activities finish."""
    settings = settings or WorkerSettings()
    respondio = RespondIOSettings()  # before connecting: a missing token is the first thing to hear about
    client = await connect()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with RespondIOClient(respondio) as api:
        async with build_worker(client, settings, handoff_activities(api, client, settings.task_queue)):
            log.info("Worker polling task queue %r on %s", settings.task_queue, client.service_client.config.target_host)
            await stop.wait()
            log.info("Stopping: finishing running activities (up to %ss)", settings.graceful_shutdown_seconds)
