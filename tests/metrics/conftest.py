"""A metrics runtime per test: the production exporter (``worker.metrics``) on a free port of its own."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from temporalio.runtime import Runtime

from bench.ports import free_port
from tests.metrics.scrape import HANDOFF_METRICS
from worker.metrics import metrics_runtime
from worker.settings import Settings


@dataclass(frozen=True)
class Served:
    runtime: Runtime
    url: str
    """The runtime's /metrics."""


@pytest.fixture
def served() -> Iterator[Served]:
    address = f"127.0.0.1:{free_port()}"
    runtime = metrics_runtime(Settings(metrics_address=address), HANDOFF_METRICS)
    assert runtime is not None
    yield Served(runtime, f"http://{address}/metrics")
