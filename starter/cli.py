"""The ``handoff`` command."""

import asyncio
import logging
import os
import sys

import typer

from starter import cli_escalation, cli_policy

app = typer.Typer(help="Handoff: durable escalation of unanswered respond.io conversations.", no_args_is_help=True)
app.add_typer(cli_policy.app, name="policy")
app.add_typer(cli_escalation.app, name="escalation")


@app.command()
def worker() -> None:
    """Run a worker: the escalation workflows and the respond.io activities."""
    from worker.main import run_worker

    asyncio.run(run_worker())


def main() -> None:
    logging.basicConfig(level=os.environ.get("HANDOFF_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    # The Temporal SDK's native runtime can abort during interpreter teardown
    # (sdk-python#300); the command's work is done, so leave without teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
