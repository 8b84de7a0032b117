"""``handoff policy``: check policy files before anything runs them, and read them as a timeline."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from starter.console import console, fail
from starter.policy_explain import explanation
from starter.policy_file import DEFAULT_POLICY, PolicyError, load_policy
from starter.policy_warnings import policy_warnings
from workflows.policy import Policy

app = typer.Typer(help="Check escalation policy files and explain them.", no_args_is_help=True)

PolicyFile = Annotated[Path, typer.Argument(help="the policy file (YAML)")]


@app.command()
def check(file: PolicyFile = DEFAULT_POLICY) -> None:
    """Say OK, or print every error with its field path; warn about steps that never run or time nobody."""
    policy = _load(file)
    warnings = policy_warnings(policy)
    for warning in warnings:
        console.print(f"[yellow]⚠[/] {escape(f'{file}: {warning}')}", highlight=False)
    noted = f", {len(warnings)} warning(s)" if warnings else ""
    console.print(
        f"[green]OK[/] {escape(f'{file}: policy {policy.name!r}, {len(policy.steps)} steps{noted}')}", highlight=False
    )


@app.command()
def explain(file: PolicyFile = DEFAULT_POLICY) -> None:
    """Print the policy as a timeline: when each step runs, counted from the conversation's opening."""
    title, *lines = explanation(_load(file))
    console.print(title, style="bold", markup=False, highlight=False, soft_wrap=True)
    for line in lines:  # soft wrap: a long line wraps in the terminal, never into the column of times
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _load(file: Path) -> Policy:
    """The policy in ``file``; its problems printed with their field paths, and exit 2, when it cannot be used."""
    try:
        return load_policy(file)
    except PolicyError as error:
        for problem in error.problems:
            console.print(f"[red]✗[/] {escape(f'{file}: {problem}')}", highlight=False)
        raise fail(f"{len(error.problems)} problem(s) in {file}; fix them and check again", code=2) from error
