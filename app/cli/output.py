"""Output helpers shared by every command module: ``--json``, one clear error, exit codes.

Command modules import these from here, never from ``app.cli.main`` (which imports them all).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from dulieumo.errors import DulieumoError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

T = TypeVar("T")

#: exit code when a command could not run (bad spec, unreachable portal...)
EXIT_COULD_NOT_RUN = 2


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        human(data)


def guarded(func: Callable[[], T], as_json: bool = False) -> T:
    """Run a command body; turn our errors into one clear message and exit code 2."""
    try:
        return func()
    except DulieumoError as exc:
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": exc.to_dict()}, ensure_ascii=False))
        else:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_COULD_NOT_RUN) from None


def fail(message: str) -> NoReturn:
    """A usage mistake the command itself detects: say it, exit 2."""
    typer.secho(f"error: {message}", err=True, fg="red")
    raise typer.Exit(EXIT_COULD_NOT_RUN)
