"""Free local ports, so a benchmark never collides with a `handoff up` or another run."""

import socket
from typing import TypedDict


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class StackPorts(TypedDict):
    """The ports of ``StackConfig.from_settings`` (a part of its overrides)."""

    temporal_port: int
    ui_port: int
    receiver_port: int
    sandbox_port: int
    worker_metrics_port: int
    receiver_metrics_port: int


def free_stack_ports() -> StackPorts:
    """Every port a stack with the sandbox listens on, each one free now."""
    return StackPorts(
        temporal_port=free_port(),
        ui_port=free_port(),
        receiver_port=free_port(),
        sandbox_port=free_port(),
        worker_metrics_port=free_port(),
        receiver_metrics_port=free_port(),
    )
