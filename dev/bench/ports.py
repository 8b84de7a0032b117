"""Free local ports, so a benchmark or a test never collides with a `handoff up` or another run."""

import random
import socket
from contextlib import ExitStack
from typing import TypedDict

LISTENING_PORTS = range(20_000, 32_768)
"""Where the chosen ports come from: below every common ephemeral range (Linux starts at 32768, macOS and Windows at
49152), so a port chosen and released for a child to bind is never taken meanwhile by an outgoing connection, as
a port the kernel picks (bind to 0) can be."""


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free now: each socket stays bound until all are chosen, so none is picked twice."""
    with ExitStack() as held:
        chosen: list[int] = []
        for port in random.sample(LISTENING_PORTS, len(LISTENING_PORTS)):
            probe = held.enter_context(socket.socket())
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:  # another listener has it
                continue
            chosen.append(port)
            if len(chosen) == count:
                return chosen
    raise OSError(f"fewer than {count} ports free in {LISTENING_PORTS.start}-{LISTENING_PORTS.stop - 1}")


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
