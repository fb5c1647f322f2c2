"""`dulieumo notify-test <organisation>`: send a test notice to check the set-up."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, guarded


def notify_test_cmd(
    organization: Annotated[str, typer.Argument(help="Organisation name, e.g. so-y-te")],
    as_json: JsonOpt = False,
) -> None:
    """Send a test notification on every channel of an organisation; exit 1 if one fails."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from notify.dispatch import send_test
    from notify.status import notifications_line

    results = guarded(lambda: send_test(organization, load_catalog(catalog_root())), as_json)

    def human(items: list[dict[str, Any]]) -> None:
        typer.echo(f"{organization}: {notifications_line(items)}")

    emit(results, as_json, human)
    if any(not r["ok"] for r in results):
        raise typer.Exit(1)
