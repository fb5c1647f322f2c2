"""`dulieumo demo`: the sample catalogue, served by the sample agencies, published locally."""

from __future__ import annotations

import typer

from app.cli.output import JsonOpt, guarded
from app.cli.publish import publish_all


def demo_cmd(as_json: JsonOpt = False) -> None:
    """Publish the whole sample catalogue to the local portal and print where to look."""
    from dulieumo.paths import catalog_root
    from portal.settings import PortalSettings
    from samples.agency_server import AgencyServer

    # the sample agencies' files, APIs, CKAN table and database, for the time of the run
    agency = guarded(lambda: AgencyServer(catalog_root()).start(), as_json)
    try:
        summary = publish_all(None, False, as_json)
    finally:
        agency.stop()
    if not as_json:
        url = PortalSettings().url
        typer.echo("")
        typer.echo(f"Portal:    {url}")
        typer.echo(f"Datasets:  {url}/dataset")
        typer.echo(f"API:       {url}/api/3/action/package_search?q=benh+vien")
        typer.echo("Publisher token: dulieumo portal token")
    if not summary.ok:
        raise typer.Exit(1)
