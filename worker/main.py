"""``handoff worker``: runs workflows and activities until SIGINT or SIGTERM."""

import asyncio
import logging
import signal

from activities.respondio import RespondIOClient
from roster.client import RosterClient, RosterNews
from worker.activities import handoff_activities
from worker.build import build_worker
from worker.connection import connect
from worker.metrics import WORKER_METRICS, metrics_runtime, roster_gauges
from worker.settings import Settings

log = logging.getLogger("handoff.worker")


async def run_worker(settings: Settings) -> None:
    """Poll the task queue until told to stop, then let running activities finish."""
    respondio = settings.respondio()  # before connecting: a missing token is the first thing to hear about
    roster_config = settings.roster()
    runtime = metrics_runtime(settings, WORKER_METRICS)  # binds now: a port in use stops the worker at start
    client = await connect(settings, runtime)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    roster = RosterClient(client, settings.task_queue, roster_config)
    await roster.tell(RosterNews.configure(roster_config))  # a running roster keeps its settings until told
    async with (
        RespondIOClient(respondio) as api,
        build_worker(client, settings, handoff_activities(api, roster)),
        roster_gauges(runtime, roster, settings.task_queue),
    ):
        log.info("Worker polling task queue %r on %s", settings.task_queue, client.service_client.config.target_host)
        await stop.wait()
        log.info("Stopping: finishing running activities (up to %ss)", settings.graceful_shutdown_seconds)
