"""The `dulieumo` command line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from dulieumo.errors import DulieumoError

app = typer.Typer(
    help="Publish a province's open data: pull from agencies, validate, publish to CKAN.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
portal_app = typer.Typer(help="Manage the local CKAN portal.", no_args_is_help=True)
app.add_typer(portal_app, name="portal")

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


# --------------------------------------------------------------------------- portal


@portal_app.command("up")
def portal_up(as_json: JsonOpt = False) -> None:
    """Install (if needed) and start the local portal; idempotent."""
    from portal import manage

    def say(msg: str) -> None:
        if not as_json:
            typer.echo(msg, err=True)

    rep = guarded(lambda: manage.up(say=say), as_json)
    emit(
        {"ok": True, "url": rep.url, "pid": rep.pid, "steps": rep.steps,
         "seconds": round(rep.seconds, 1)},
        as_json,
        lambda d: typer.echo(f"Portal is up at {d['url']} (pid {d['pid']}, {d['seconds']} s)."),
    )


@portal_app.command("down")
def portal_down() -> None:
    """Stop the local portal's web server."""
    from portal import manage

    stopped = guarded(manage.down)
    typer.echo("Portal stopped." if stopped else "Portal was not running.")


@portal_app.command("status")
def portal_status(as_json: JsonOpt = False) -> None:
    """Report the portal's health (from status_show) and URL; exit 1 when unhealthy."""
    from portal import manage

    info = guarded(manage.status, as_json)

    def human(d: dict[str, Any]) -> None:
        state = "healthy" if d["healthy"] else ("running, not answering" if d["running"] else "down")
        typer.echo(f"Portal {state}: {d['url']}")
        if d["healthy"]:
            typer.echo(f"  CKAN {d['ckan_version']} · {d['site_title']} · plugins: "
                       + ", ".join(d["extensions"]))
        else:
            typer.echo("  Start it with: dulieumo portal up")

    emit(info, as_json, human)
    if not info["healthy"]:
        raise typer.Exit(1)


@portal_app.command("reset")
def portal_reset() -> None:
    """Empty the portal's data (datasets, organisations, DataStore, uploads); keep users."""
    from portal import manage

    seconds = guarded(manage.reset)
    typer.echo(f"Portal reset in {seconds:.1f} s.")


@portal_app.command("token")
def portal_token(
    role: Annotated[str, typer.Option("--role", help="publisher or sysadmin")] = "publisher",
) -> None:
    """Print the API token of the local portal's publisher (or sysadmin)."""
    from portal import manage

    if role not in ("publisher", "sysadmin"):
        typer.secho("error: --role must be publisher or sysadmin", err=True, fg="red")
        raise typer.Exit(EXIT_COULD_NOT_RUN)
    typer.echo(guarded(lambda: manage.token(role)))  # type: ignore[arg-type]


def main() -> None:
    app(prog_name="dulieumo")


if __name__ == "__main__":
    sys.exit(main())
