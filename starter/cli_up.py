"""``handoff up``, ``handoff demo`` and ``handoff sandbox``: run Handoff on this machine."""

import asyncio
import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from starter.console import console, fail
from starter.policy_file import PolicyError, load_policy
from starter.settings import StarterSettings
from starter.processes import ChildFailed
from starter.stack import Stack, StackConfig

_DEFAULT = StackConfig()
TemporalPort = Annotated[int, typer.Option(help="Temporal's gRPC port")]
UiPort = Annotated[int, typer.Option(help="the Temporal Web UI's port")]
ReceiverPort = Annotated[int, typer.Option(help="the webhook receiver's port")]
SandboxPort = Annotated[int, typer.Option(help="the sandbox inbox's port")]


def up(
    sandbox: bool = typer.Option(False, "--sandbox", help="also run the sandbox inbox and wire its webhooks"),
    data_dir: Path = typer.Option(Path(".handoff"), help="where the stack keeps its state and logs"),
    policy: Optional[Path] = typer.Option(None, help="policy file (default: HANDOFF_POLICY or the embedded default)"),
    temporal_port: TemporalPort = _DEFAULT.temporal_port,
    ui_port: UiPort = _DEFAULT.ui_port,
    receiver_port: ReceiverPort = _DEFAULT.receiver_port,
    sandbox_port: SandboxPort = _DEFAULT.sandbox_port,
) -> None:
    """Run the whole stack until Ctrl-C: Temporal dev server, worker, webhook receiver[, sandbox]."""
    config = StackConfig(data_dir, sandbox, policy, temporal_port, ui_port, receiver_port, sandbox_port)
    _check_before_starting(config)
    try:
        asyncio.run(_run(config))
    except ChildFailed as error:
        raise fail(str(error))


def _check_before_starting(config: StackConfig) -> None:
    """An invalid policy or missing secrets stop `up` before it starts anything."""
    try:
        load_policy(config.policy or StarterSettings().policy)
    except PolicyError as error:
        raise fail(f"{error}; run `handoff policy check` for details", code=2)
    if not config.sandbox:
        missing = [name for name in ("HANDOFF_RESPONDIO_TOKEN", "HANDOFF_WEBHOOK_KEYS") if not os.environ.get(name, "").strip()]
        if missing:
            raise fail(f"set {' and '.join(missing)} to talk to respond.io, or run `handoff up --sandbox`", code=2)


async def _run(config: StackConfig) -> None:
    stack = Stack(config)
    with console.status("Starting Temporal, the worker and the receiver…"):
        await stack.start()
    try:
        print_summary(config)
        await stack.run_until_stopped()
        console.print("Stopping…")
    finally:
        await stack.stop()
    console.print(f"Stopped. State is kept in {config.data_dir}/ for the next `handoff up`.")


def print_summary(config: StackConfig) -> None:
    console.print("[bold green]Handoff is up.[/]")
    console.print(f"  Temporal UI        {config.ui_url}/namespaces/default/workflows")
    console.print(f"  Temporal address   {config.temporal_address}")
    console.print(f"  Webhook receiver   {config.receiver_url}/webhooks/respondio")
    if config.sandbox:
        console.print(f"  Sandbox inbox      {config.sandbox_url}/sandbox/state")
    console.print(f"  Logs               {config.data_dir}/logs/")
    console.print("Press Ctrl-C to stop.")


def demo(
    keep_up: bool = typer.Option(False, "--keep-up", help="leave the stack running after the story, until Ctrl-C"),
    data_dir: Path = typer.Option(Path(".handoff/demo"), help="the demo's state and logs (emptied at start)"),
    temporal_port: TemporalPort = _DEFAULT.temporal_port,
    ui_port: UiPort = _DEFAULT.ui_port,
    receiver_port: ReceiverPort = _DEFAULT.receiver_port,
    sandbox_port: SandboxPort = _DEFAULT.sandbox_port,
) -> None:
    """Play twelve conversations against the sandbox inbox and show what Handoff does with each."""
    from starter.demo import DEMO_POLICY, run_demo

    config = StackConfig(data_dir, True, DEMO_POLICY, temporal_port, ui_port, receiver_port, sandbox_port)
    try:
        as_expected = asyncio.run(run_demo(config, keep_up))
    except ChildFailed as error:
        raise fail(str(error))
    if not as_expected:
        raise fail("some conversations did not end as the story expects; see the summary and the logs")


def sandbox() -> None:
    """Serve the sandbox inbox (settings from HANDOFF_SANDBOX_*)."""
    from sandbox.server import main

    main()
