"""`dulieumo portal up|down|status|reset|token`: the local CKAN portal."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, fail, guarded

portal_app = typer.Typer(help="Manage the local CKAN portal.", no_args_is_help=True)


@portal_app.command("up")
def portal_up(as_json: JsonOpt = False) -> None:
    """Install (if needed) and start the local portal; idempotent."""
    from app import local_portal

    def say(msg: str) -> None:
        if not as_json:
            typer.echo(msg, err=True)

    rep = guarded(lambda: local_portal.up(say=say), as_json)
    emit(
        {
            "ok": True,
            "url": rep.url,
            "pid": rep.pid,
            "steps": rep.steps,
            "seconds": round(rep.seconds, 1),
        },
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
        state = (
            "healthy" if d["healthy"] else ("running, not answering" if d["running"] else "down")
        )
        typer.echo(f"Portal {state}: {d['url']}")
        if d["healthy"]:
            typer.echo(
                f"  CKAN {d['ckan_version']} · {d['site_title']} · plugins: "
                + ", ".join(d["extensions"])
            )
        else:
            typer.echo("  Start it with: dulieumo portal up")

    emit(info, as_json, human)
    if not info["healthy"]:
        raise typer.Exit(1)


@portal_app.command("reset")
def portal_reset() -> None:
    """Empty the portal's data (datasets, organisations, DataStore, uploads); keep users."""
    from app import local_portal

    seconds = guarded(local_portal.reset)
    typer.echo(f"Portal reset in {seconds:.1f} s.")


@portal_app.command("token")
def portal_token(
    role: Annotated[str, typer.Option("--role", help="publisher or sysadmin")] = "publisher",
) -> None:
    """Print the API token of the local portal's publisher (or sysadmin)."""
    from portal import manage

    if role not in ("publisher", "sysadmin"):
        fail("--role must be publisher or sysadmin")
    typer.echo(guarded(lambda: manage.token(role)))  # type: ignore[arg-type]
