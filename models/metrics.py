"""Handoff's metric definitions: one ``Metric`` per series family, recorded through a Temporal SDK meter.

Every layer defines its metrics next to the code that records them (``workflows.metrics``,
``roster.metrics``, ``activities.metrics``, ``starter.webhook_metrics``) with this one type, so
the exported names, the histogram buckets and the README's table come from the same place.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from temporalio.common import MetricCounter, MetricGauge, MetricHistogramFloat, MetricMeter

PREFIX = "handoff_"


@dataclass(frozen=True)
class Metric:
    name: str
    kind: Literal["counter", "gauge", "histogram"]
    description: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()
    """Histogram bucket bounds (seconds); the exporter's defaults stop at 10 s, too short for most of ours."""

    def __post_init__(self) -> None:
        if not self.name.startswith(PREFIX):
            raise ValueError(f"metric {self.name!r} must start with {PREFIX!r}")
        if (self.kind == "histogram") != bool(self.buckets):
            raise ValueError(f"metric {self.name!r}: histograms, and only they, have buckets")

    @property
    def exported(self) -> str:
        """The family's name on /metrics: counters get the OpenMetrics ``_total`` suffix."""
        return f"{self.name}_total" if self.kind == "counter" else self.name

    @property
    def samples(self) -> tuple[str, ...]:
        """The sample names the family shows on /metrics (a histogram's buckets, sum and count)."""
        if self.kind == "histogram":
            return tuple(f"{self.name}_{part}" for part in ("bucket", "sum", "count"))
        return (self.exported,)

    def counter(self, meter: MetricMeter) -> MetricCounter:
        assert self.kind == "counter", self.name
        return meter.create_counter(self.name, self.description)

    def gauge(self, meter: MetricMeter) -> MetricGauge:
        assert self.kind == "gauge", self.name
        return meter.create_gauge(self.name, self.description)

    def histogram(self, meter: MetricMeter) -> MetricHistogramFloat:
        assert self.kind == "histogram", self.name
        return meter.create_histogram_float(self.name, self.description, "s")


def bucket_overrides(metrics: Sequence[Metric]) -> dict[str, list[float]]:
    """The Prometheus exporter's bucket overrides for these metrics' histograms."""
    return {metric.name: list(metric.buckets) for metric in metrics if metric.buckets}
