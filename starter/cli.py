"""The ``handoff`` command."""

import asyncio
import logging
import os
import sys

import typer

from starter import cli_agent, cli_escalation, cli_policy, cli_up

app = typer.Typer(help="Handoff: durable escalation of unanswered respond.io conversations.", no_args_is_help=True)
app.add_typer(cli_policy.app, name="policy")
app.add_typer(cli_escalation.app, name="escalation")
app.add_typer(cli_agent.app, name="agent")
app.command()(cli_up.up)
app.command()(cli_up.demo)
app.command()(cli_up.sandbox)


@app.command()
def worker() -> None:
    """Run a worker: the escalation workflows and the respond.io activities."""
    from pydantic import ValidationError

    from starter.console import fail
    from starter.policy_file import describe_error
    from worker.connection import TemporalUnreachable
    from worker.main import run_worker

    try:
        asyncio.run(run_worker())
    except TemporalUnreachable as error:
        raise fail(str(error))
    except ValidationError as error:
        raise fail("; ".join(describe_error(item) for item in error.errors()), code=2)


@app.command()
def receiver() -> None:
    """Run the webhook receiver: signed respond.io events start and signal escalations."""
    from starter.console import fail
    from starter.policy_file import PolicyError, load_policy
    from starter.receiver import MissingWebhookKeys, run_receiver
    from starter.settings import StarterSettings

    settings = StarterSettings()
    try:
        policy = load_policy(settings.policy)
    except PolicyError as error:
        raise fail(f"the policy {error.path} cannot be used:\n  " + "\n  ".join(error.problems), code=2)
    try:
        asyncio.run(run_receiver(settings, policy))
    except MissingWebhookKeys as error:
        raise fail(str(error), code=2)
    except RuntimeError as error:  # uvicorn could not bind
        where = f"{settings.receiver_host}:{settings.receiver_port}"
        raise fail(f"{error}; if {where} is in use, set HANDOFF_RECEIVER_PORT (or HANDOFF_RECEIVER_HOST) to a free one")


def main() -> None:
    logging.basicConfig(level=os.environ.get("HANDOFF_LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request drowns everything else
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
