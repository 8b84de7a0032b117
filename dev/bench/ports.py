"""Free local ports, so a benchmark or a test never collides with a `handoff up` or another run."""

import socket
from contextlib import ExitStack
from typing import TypedDict


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free now: each socket stays bound until all are chosen, so none is picked twice."""
    with ExitStack() as held:
        sockets = [held.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def free_port() -> int:
    return free_ports(1)[0]


class StackPorts(TypedDict):
    """The ports of ``StackConfig.from_settings`` (a part of its overrides)."""

    temporal_port: int
    ui_port: int
    receiver_port: int
    sandbox_port: int
    worker_metrics_port: int
    receiver_metrics_port: int
    temporal_http_port: int
    temporal_metrics_port: int


def free_stack_ports() -> StackPorts:
    """Every port a stack with the sandbox listens on, the dev server's HTTP API and metrics included (left to
    itself it picks them as it starts, and may take one chosen here for another child), each free now and distinct."""
    temporal, ui, receiver, sandbox, worker_metrics, receiver_metrics, http, metrics = free_ports(8)
    return StackPorts(
        temporal_port=temporal,
        ui_port=ui,
        receiver_port=receiver,
        sandbox_port=sandbox,
        worker_metrics_port=worker_metrics,
        receiver_metrics_port=receiver_metrics,
        temporal_http_port=http,
        temporal_metrics_port=metrics,
    )
