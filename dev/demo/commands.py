"""``handoff demo`` and ``handoff sandbox``, added to the `handoff` command by this package's entry points."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from starter.cli_up import ReceiverPort, SandboxPort, TemporalPort, UiPort
from starter.console import fail
from starter.processes import ChildFailed
from starter.stack import StackConfig
from worker.settings import settings

DEMO_DATA_DIR = Path(".handoff/demo")


def demo(
    keep_up: Annotated[
        bool, typer.Option("--keep-up", help="leave the stack running after the story, until Ctrl-C")
    ] = False,
    data_dir: Annotated[Path, typer.Option(help="the demo's state and logs (emptied at start)")] = DEMO_DATA_DIR,
    temporal_port: TemporalPort = None,
    ui_port: UiPort = None,
    receiver_port: ReceiverPort = None,
    sandbox_port: SandboxPort = None,
) -> None:
    """Play twelve conversations against the sandbox inbox and show what Handoff does with each."""
    from demo.run import DEMO_POLICY, run_demo

    config = StackConfig.from_settings(
        settings(),
        sandbox=True,
        data_dir=data_dir,
        policy=DEMO_POLICY,
        temporal_port=temporal_port,
        ui_port=ui_port,
        receiver_port=receiver_port,
        sandbox_port=sandbox_port,
    )
    try:
        as_expected = asyncio.run(run_demo(config, keep_up))
    except ChildFailed as error:
        raise fail(str(error)) from error
    if not as_expected:
        raise fail("some conversations did not end as the story expects; see the summary and the logs")


def sandbox() -> None:
    """Serve the sandbox inbox, a local respond.io-compatible API (settings from HANDOFF_SANDBOX_*)."""
    from sandbox.server import main

    main()
