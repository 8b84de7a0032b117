"""The roster's gauges: escalations waiting for an agent, and agents online per pool.

Set from a ``RosterSnapshot`` (the roster's query) by each worker that serves metrics, rather
than from inside the roster workflow: a gauge set in workflow code stays frozen at its last
value on every worker the roster has left, while a snapshot is the same wherever it is read,
and presence that lapses with time shows without any event.
"""

from temporalio.common import MetricMeter

from models.metrics import Metric
from roster.state import RosterSnapshot

WAITING = Metric(
    "handoff_roster_waiting", "gauge", "escalations waiting for an eligible agent (the roster's queue)", ("task_queue",)
)
AGENTS_ONLINE = Metric(
    "handoff_roster_agents_online",
    "gauge",
    "agents routing counts as online, per pool: `team:NAME`, and `workspace` for everyone",
    ("task_queue", "pool"),
)
ALL = (WAITING, AGENTS_ONLINE)
WORKSPACE = "workspace"


def online_per_pool(snapshot: RosterSnapshot) -> dict[str, int]:
    """Agents online per pool, named as routing names them (``roster.strategies.pool_key``)."""
    counts = {WORKSPACE: 0} | {f"team:{a.agent.team}": 0 for a in snapshot.agents if a.agent.team}
    for status in snapshot.agents:
        if status.online:
            counts[WORKSPACE] += 1
            if status.agent.team:
                counts[f"team:{status.agent.team}"] += 1
    return counts


class RosterGauges:
    """Sets the gauges from snapshots; a pool that disappears (a team renamed or emptied) drops to zero."""

    def __init__(self, meter: MetricMeter, task_queue: str):
        self._labels = {"task_queue": task_queue}
        self._waiting = WAITING.gauge(meter)
        self._online = AGENTS_ONLINE.gauge(meter)
        self._pools: set[str] = set()

    def show(self, snapshot: RosterSnapshot) -> None:
        self._waiting.set(len(snapshot.queue) + len(snapshot.waiting), self._labels)
        online = online_per_pool(snapshot)
        for pool in self._pools - online.keys():
            self._online.set(0, self._labels | {"pool": pool})
        for pool, count in online.items():
            self._online.set(count, self._labels | {"pool": pool})
        self._pools |= online.keys()
