"""Shared terminal output for the CLI: one console, and errors that say what to do."""

import typer
from rich.console import Console
from rich.markup import escape

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error for the user and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {escape(message)}")  # messages quote paths and [extras] literally
    return typer.Exit(code)
