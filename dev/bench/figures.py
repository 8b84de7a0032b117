"""What the benchmark measured, as plain figures: one row per (flow, rate), one per held flow, and the verdict."""

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

SUSTAINABLE_P99_SECONDS = 0.5
"""A rate is sustainable while the reassignment lateness p99 stays at or below this, with nothing lost."""
HANDOFF = "handoff"
BARE = "bare"


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest rank: the smallest value at least ``p`` percent of the values are at or below."""
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class Spread:
    """Seconds: the median, the 99th percentile and the worst."""

    p50: float
    p99: float
    max: float

    @staticmethod
    def of(values: Sequence[float]) -> "Spread | None":
        return Spread(percentile(values, 50), percentile(values, 99), max(values)) if values else None


@dataclass(frozen=True)
class RateFigures:
    flow: str
    rate: float
    """Openings per second asked for."""
    opened_per_s: float
    """Openings per second achieved: accepted openings over the time from the first to the last answer."""
    opened: int
    """Openings attempted."""
    failed_openings: int
    """Openings the webhook (or start) did not accept."""
    webhook: Spread | None
    """How long the receiver took to answer a signed ``conversation.opened`` (Handoff only)."""
    lateness: Spread | None
    """Reassignment lateness: second assignment - first - wait, both flows timed where the assignment starts."""
    finished: int
    """Escalations that ended reassigned and commented."""
    duplicate_comments: int
    """Contacts with more than one comment in the inbox."""
    events_per_escalation: float | None
    activities_per_escalation: float | None
    worker_rss_mb: float
    """Peak resident memory of the worker while this rate ran (and drained)."""
    server_rss_mb: float
    """The same for the Temporal dev server."""
    worker_hwm_mb: float
    """The worker's peak resident memory since it started (``VmHWM``), after this rate."""
    server_hwm_mb: float
    drained: bool
    """Whether every escalation finished within the grace period after the last opening."""

    @property
    def lost(self) -> int:
        return self.opened - self.finished

    @property
    def sustained(self) -> bool:
        return self.lost == 0 and self.lateness is not None and self.lateness.p99 <= SUSTAINABLE_P99_SECONDS


@dataclass(frozen=True)
class HoldFigures:
    flow: str
    held: int
    """Conversations opened, each to wait an hour."""
    running: int
    """Escalations Temporal reports running once all were opened."""
    assigned: int
    """Of the held conversations, those the inbox shows assigned (the first step done)."""
    worker_rss_mb: float
    server_rss_mb: float
    worker_rss_idle_mb: float
    """Before the first opening, to tell what the held escalations cost."""
    server_rss_idle_mb: float

    @property
    def lost(self) -> int:
        return self.held - min(self.running, self.assigned)

    @property
    def worker_kb_per_held(self) -> float:
        """What one waiting escalation adds to the worker (noisy: garbage and caches move too)."""
        return (self.worker_rss_mb - self.worker_rss_idle_mb) * 1024 / self.held if self.held else 0.0

    @property
    def server_kb_per_held(self) -> float:
        return (self.server_rss_mb - self.server_rss_idle_mb) * 1024 / self.held if self.held else 0.0


@dataclass(frozen=True)
class Report:
    wait_seconds: int
    seconds_per_rate: float
    rates: list[RateFigures]
    holds: list[HoldFigures]

    def sustainable(self, flow: str) -> float | None:
        """The highest rate whose lateness p99 stayed within the bound, nothing lost (None: none did)."""
        return max((r.rate for r in self.rates if r.flow == flow and r.sustained), default=None)

    @property
    def ratio(self) -> float | None:
        """Handoff's sustainable rate over the bare flow's."""
        handoff, bare = self.sustainable(HANDOFF), self.sustainable(BARE)
        return handoff / bare if handoff is not None and bare else None

    def as_json(self) -> dict[str, Any]:
        return {
            "wait_seconds": self.wait_seconds,
            "seconds_per_rate": self.seconds_per_rate,
            "sustainable_p99_seconds": SUSTAINABLE_P99_SECONDS,
            "rates": [asdict(r) | {"lost": r.lost, "sustained": r.sustained} for r in self.rates],
            "holds": [
                asdict(h)
                | {
                    "lost": h.lost,
                    "worker_kb_per_held": h.worker_kb_per_held,
                    "server_kb_per_held": h.server_kb_per_held,
                }
                for h in self.holds
            ],
            "sustainable": {flow: self.sustainable(flow) for flow in (HANDOFF, BARE)},
            "ratio": self.ratio,
        }
