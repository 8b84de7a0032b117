"""``handoff policy``: check policy files before anything runs them."""

from pathlib import Path
from typing import Annotated

import typer

from starter.console import console, fail
from starter.policy_file import DEFAULT_POLICY, PolicyError, load_policy

app = typer.Typer(help="Check escalation policy files.", no_args_is_help=True)


@app.command()
def check(file: Annotated[Path, typer.Argument(help="the policy file (YAML)")] = DEFAULT_POLICY) -> None:
    """Say OK, or print every error with its field path."""
    try:
        policy = load_policy(file)
    except PolicyError as error:
        for problem in error.problems:
            console.print(f"[red]✗[/] {file}: {problem}", highlight=False)
        raise fail(f"{len(error.problems)} problem(s) in {file}; fix them and check again", code=2) from error
    console.print(f"[green]OK[/] {file}: policy {policy.name!r}, {len(policy.steps)} steps", highlight=False)
