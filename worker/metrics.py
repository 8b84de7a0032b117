"""Prometheus metrics of a Handoff process: Temporal's SDK metrics and Handoff's, from one exporter.

The exporter belongs to a Temporal ``Runtime``; a client connected with that runtime (and every
worker built on the client) records the SDK's metrics there, and Handoff records its own through
the same runtime's meters (``workflow.metric_meter()``, ``activity.metric_meter()``,
``runtime.metric_meter``), so one ``/metrics`` serves both.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from activities import metrics as api_metrics
from models.metrics import Metric, bucket_overrides
from roster import metrics as roster_metrics
from roster.client import RosterClient
from worker.settings import Settings
from workflows import metrics as escalation_metrics

log = logging.getLogger("handoff.metrics")

WORKER_METRICS = (*escalation_metrics.ALL, *roster_metrics.ALL, *api_metrics.ALL)
"""Everything a worker records; the receiver records ``starter.webhook_metrics.ALL``."""
SAMPLE_ROSTER_EVERY = timedelta(seconds=10)
"""How often a worker reads the roster for its gauges: well within Prometheus's usual 15 s between scrapes."""


class MetricsUnavailable(Exception):
    """The metrics endpoint could not be served; the message names the setting to change."""


def metrics_runtime(settings: Settings, metrics: Sequence[Metric]) -> Runtime | None:
    """A Temporal runtime serving ``/metrics`` at ``HANDOFF_METRICS_ADDRESS``; None (no metrics) when it is unset."""
    if settings.metrics_address is None:
        return None
    exporter = PrometheusConfig(
        bind_address=settings.metrics_address,
        counters_total_suffix=True,  # the OpenMetrics convention: handoff_escalations_started_total
        durations_as_seconds=True,  # the SDK's latencies in seconds, like Handoff's own
        histogram_bucket_overrides=bucket_overrides(metrics),
    )
    try:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=exporter))
    except ValueError as error:  # the exporter binds now: a port in use is an error at start
        raise MetricsUnavailable(
            f"cannot serve metrics at {settings.metrics_address} ({error}); set HANDOFF_METRICS_ADDRESS to a free "
            "IP:PORT, or leave it unset to serve none"
        ) from error
    log.info("Serving Prometheus metrics at http://%s/metrics", settings.metrics_address)
    return runtime


@asynccontextmanager
async def roster_gauges(runtime: Runtime | None, roster: RosterClient, task_queue: str) -> AsyncIterator[None]:
    """While inside, keep the roster's gauges current (with metrics on); see ``roster.metrics`` for why a worker."""
    if runtime is None:
        yield
        return
    sampling = asyncio.create_task(_sample(roster, roster_metrics.RosterGauges(runtime.metric_meter, task_queue)))
    try:
        yield
    finally:
        sampling.cancel()
        await asyncio.gather(sampling, return_exceptions=True)


async def _sample(roster: RosterClient, gauges: roster_metrics.RosterGauges) -> None:
    failing = False
    while True:
        try:
            snapshot = await roster.snapshot()
        except Exception as error:  # the gauges wait for the next sample; the worker itself carries on
            if not failing:
                log.warning(
                    "Cannot read the roster for its gauges (trying again every %s): %s", SAMPLE_ROSTER_EVERY, error
                )
            failing = True
        else:
            failing = False
            # no roster yet, or one that has not read its agents (a worker's ``configure`` starts it): nothing to show
            if snapshot is not None and snapshot.synced_at is not None:
                gauges.show(snapshot)
        await asyncio.sleep(SAMPLE_ROSTER_EVERY.total_seconds())
