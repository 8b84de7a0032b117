"""The ``handoff`` command."""

import asyncio
import os
import sys
from importlib.metadata import entry_points

import typer
from pydantic import ValidationError

from starter import cli_agent, cli_escalation, cli_policy, cli_report, cli_up
from starter.console import fail
from starter.logs import configure_logging
from starter.policy_file import describe_error
from starter.stack import COMMANDS_GROUP
from worker.settings import settings

app = typer.Typer(help="Handoff: durable escalation of unanswered respond.io conversations.", no_args_is_help=True)
app.add_typer(cli_policy.app, name="policy")
app.add_typer(cli_escalation.app, name="escalation")
app.add_typer(cli_agent.app, name="agent")
app.command()(cli_up.up)
app.command(help=cli_report.HELP)(cli_report.report)
for _entry in entry_points(group=COMMANDS_GROUP):  # development tools: `handoff demo`, `handoff sandbox`
    app.command(_entry.name)(_entry.load())


@app.callback()
def _read_settings() -> None:
    """Every command reads the settings once, as it starts, and logs as they say."""
    settings.cache_clear()
    configure_logging(settings())


@app.command()
def worker() -> None:
    """Run a worker: the escalation workflows and the respond.io activities."""
    from worker.connection import TemporalUnreachable
    from worker.main import run_worker
    from worker.metrics import MetricsUnavailable

    try:
        asyncio.run(run_worker(settings()))
    except (TemporalUnreachable, MetricsUnavailable) as error:
        raise fail(str(error)) from error
    except ValidationError as error:
        raise fail("; ".join(describe_error(item) for item in error.errors()), code=2) from error


@app.command()
def receiver() -> None:
    """Run the webhook receiver: signed respond.io events start and signal escalations."""
    from starter.policy_file import PolicyError, load_policy
    from starter.receiver import MissingWebhookKeys, run_receiver
    from worker.metrics import MetricsUnavailable

    current = settings()
    try:
        policy = load_policy(current.policy)
    except PolicyError as error:
        raise fail(f"the policy {error.path} cannot be used:\n  " + "\n  ".join(error.problems), code=2) from error
    try:
        asyncio.run(run_receiver(current, policy))
    except MissingWebhookKeys as error:
        raise fail(str(error), code=2) from error
    except MetricsUnavailable as error:
        raise fail(str(error)) from error
    except RuntimeError as error:  # uvicorn could not bind
        where = f"{current.receiver_host}:{current.receiver_port}"
        raise fail(
            f"{error}; if {where} is in use, set HANDOFF_RECEIVER_PORT (or HANDOFF_RECEIVER_HOST) to a free one"
        ) from error


def main() -> None:
    try:
        app()
        code = 0
    except ValidationError as error:
        problems = "\n  ".join(f"HANDOFF_{str(item['loc'][0]).upper()}: {item['msg']}" for item in error.errors())
        fail(f"the settings in the environment cannot be used:\n  {problems}", code=2)
        code = 2
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    # The Temporal SDK's native runtime can abort during interpreter teardown
    # (sdk-python#300); the command's work is done, so leave without teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
