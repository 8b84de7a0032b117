"""``handoff up``: run Handoff on this machine, with the embedded Temporal dev server."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from starter.binaries import temporal_binary
from starter.console import console, fail
from starter.policy_file import PolicyError, load_policy
from starter.processes import ChildFailed
from starter.sandbox_presence import AgentsOnline
from starter.stack import SANDBOX_COMMAND, Stack, StackConfig, has_command
from worker.settings import settings

WithSandbox = Annotated[bool, typer.Option("--sandbox", help="also run the sandbox inbox and wire its webhooks")]
DataDir = Annotated[
    Path | None, typer.Option(help="where the stack keeps its state and logs \\[default: HANDOFF_DATA_DIR]")
]
PolicyFile = Annotated[
    Path | None, typer.Option(help="policy file \\[default: HANDOFF_POLICY or the embedded default]")
]
TemporalPort = Annotated[int | None, typer.Option(help="Temporal's gRPC port \\[default: HANDOFF_TEMPORAL_PORT]")]
UiPort = Annotated[int | None, typer.Option(help="the Temporal Web UI's port \\[default: HANDOFF_UI_PORT]")]
ReceiverPort = Annotated[
    int | None, typer.Option(help="the webhook receiver's port \\[default: HANDOFF_RECEIVER_PORT]")
]
SandboxPort = Annotated[int | None, typer.Option(help="the sandbox inbox's port \\[default: HANDOFF_SANDBOX_PORT]")]
WorkerMetricsPort = Annotated[
    int | None, typer.Option(help="the worker's Prometheus metrics port \\[default: HANDOFF_WORKER_METRICS_PORT]")
]
ReceiverMetricsPort = Annotated[
    int | None, typer.Option(help="the receiver's Prometheus metrics port \\[default: HANDOFF_RECEIVER_METRICS_PORT]")
]
TemporalHttpPort = Annotated[int | None, typer.Option(help="the dev server's HTTP API port \\[default: a free port]")]
TemporalMetricsPort = Annotated[int | None, typer.Option(help="the dev server's metrics port \\[default: a free port]")]


def up(
    sandbox: WithSandbox = False,
    data_dir: DataDir = None,
    policy: PolicyFile = None,
    temporal_port: TemporalPort = None,
    ui_port: UiPort = None,
    receiver_port: ReceiverPort = None,
    sandbox_port: SandboxPort = None,
    worker_metrics_port: WorkerMetricsPort = None,
    receiver_metrics_port: ReceiverMetricsPort = None,
    temporal_http_port: TemporalHttpPort = None,
    temporal_metrics_port: TemporalMetricsPort = None,
) -> None:
    """Run the whole stack until Ctrl-C: Temporal dev server, worker, webhook receiver[, sandbox]."""
    config = StackConfig.from_settings(
        settings(),
        sandbox=sandbox,
        data_dir=data_dir,
        policy=policy,
        temporal_port=temporal_port,
        ui_port=ui_port,
        receiver_port=receiver_port,
        sandbox_port=sandbox_port,
        worker_metrics_port=worker_metrics_port,
        receiver_metrics_port=receiver_metrics_port,
        temporal_http_port=temporal_http_port,
        temporal_metrics_port=temporal_metrics_port,
    )
    _check_before_starting(config)
    try:
        asyncio.run(_run(config))
    except ChildFailed as error:
        raise fail(str(error)) from error


def _check_before_starting(config: StackConfig) -> None:
    """An invalid policy, missing secrets or missing tools stop `up` before it starts anything."""
    try:
        temporal_binary("temporal")
    except FileNotFoundError as error:
        raise fail(str(error), code=2) from error
    try:
        load_policy(config.policy)
    except PolicyError as error:
        raise fail(f"{error}; run `handoff policy check` for details", code=2) from error
    if config.sandbox:
        if not has_command(SANDBOX_COMMAND):
            raise fail(
                "the sandbox inbox is a development tool and is not installed here; run `make setup` in a "
                "clone of Handoff, or run `handoff up` against respond.io",
                code=2,
            )
        return
    current = settings()
    missing = [
        name
        for name, value in (
            ("HANDOFF_RESPONDIO_TOKEN", current.respondio_token),
            ("HANDOFF_WEBHOOK_KEYS", current.webhook_keys),
        )
        if not value
    ]
    if missing:
        raise fail(f"set {' and '.join(missing)} to talk to respond.io, or run `handoff up --sandbox`", code=2)


async def _run(config: StackConfig) -> None:
    stack = Stack(config)
    with console.status("Starting Temporal, the worker and the receiver…"):
        await stack.start()
    try:
        print_summary(config, stack.agents_online)
        await stack.run_until_stopped()
        console.print("Stopping…")
    finally:
        await stack.stop()
    console.print(f"Stopped. State is kept in {config.data_dir}/ for the next `handoff up`.")


def print_summary(config: StackConfig, agents_online: AgentsOnline | None) -> None:
    console.print("[bold green]Handoff is up.[/]")
    console.print(f"  Temporal UI        {config.ui_url}/namespaces/default/workflows")
    console.print(f"  Temporal address   {config.temporal_address}")
    console.print(f"  Webhook receiver   {config.receiver_url}/webhooks/respondio")
    if config.sandbox:
        console.print(f"  Sandbox inbox      {config.sandbox_url}/docs  (its routes; state: /sandbox/state)")
    if agents_online is not None:
        online = f"{agents_online.online} of {agents_online.total} sandbox agents online"
        console.print(f"  Routing            {online}  (`handoff agent list`)")
    else:
        console.print("  Routing            agents count as offline until marked online (`handoff agent online ID`)")
    console.print(f"  Worker metrics     {config.worker_metrics_url}")
    console.print(f"  Receiver metrics   {config.receiver_metrics_url}")
    console.print(f"  Logs               {config.data_dir}/logs/")
    console.print("Press Ctrl-C to stop.")
