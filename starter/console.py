"""Shared terminal output for the CLI: one console, and errors that say what to do."""

import os
import sys
from collections.abc import Mapping
from typing import TextIO

import typer
from rich.console import Console
from rich.markup import escape

PIPED_WIDTH = 1000
"""Piped or redirected output is read by programs (grep, a file): a table row stays on one line."""


def width_for(stream: TextIO, environ: Mapping[str, str] = os.environ) -> int | None:
    """The console width: the terminal's (None lets rich measure it) or ``COLUMNS``, else wide when piped."""
    if stream.isatty() or environ.get("COLUMNS", "").isdigit():
        return None
    return PIPED_WIDTH


console = Console(width=width_for(sys.stdout))
errors = Console(stderr=True, width=width_for(sys.stderr))


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error for the user and return the exit to raise."""
    errors.print(f"[bold red]error:[/] {escape(message)}")  # messages quote paths and [extras] literally
    return typer.Exit(code)
