"""`dulieumo report`: the leadership indicators of a period, written and published."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, guarded


def report_cmd(
    period: Annotated[str, typer.Option("--period", help="2026-11 (month), 2026-Q4, or 2026")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the HTML and JSON (default: <work dir>/reports)"),
    ] = None,
    publish: Annotated[
        bool, typer.Option("--publish/--no-publish", help="Publish the report to the portal")
    ] = True,
    organization: Annotated[
        str, typer.Option("--organization", help="Organisation publishing the report")
    ] = "so-thong-tin-truyen-thong",
    as_json: JsonOpt = False,
) -> None:
    """Indicators for the province's leadership over a period (JSON + Vietnamese HTML)."""
    from app.report.build import build_report, portal_dataset_counts, write_report
    from app.report.period import parse_period
    from app.report.publish import publish_report
    from dulieumo import history
    from dulieumo.catalog import load_catalog
    from dulieumo.errors import DulieumoError
    from dulieumo.paths import catalog_root, work_root

    def run() -> dict[str, Any]:
        when = parse_period(period)
        catalog = load_catalog(catalog_root())
        client = None
        counts = None
        portal_problem: DulieumoError | None = None
        if publish:
            from portal.target import portal_target
            from publish.client import PortalClient

            try:
                client = PortalClient(portal_target())
                counts = portal_dataset_counts(client)
            except DulieumoError as exc:  # still write the files, then say so
                portal_problem = exc
        data = build_report(when, catalog, history.read(), counts)
        html_path, json_path = write_report(data, out or work_root() / "reports")
        if portal_problem is not None:
            portal_problem.message = (
                f"{portal_problem.message} The report was written to {html_path} and "
                f"{json_path} (without the portal's dataset counts) but not published."
            )
            portal_problem.hint = (
                portal_problem.hint or ""
            ) + " Then run the same command again, or add --no-publish to only write the files."
            raise portal_problem
        result: dict[str, Any] = {
            "ok": True,
            "period": when.key,
            "html": str(html_path),
            "json": str(json_path),
            "indicators": data["indicators"],
        }
        if client is not None:
            result["portal"] = publish_report(
                client,
                when.key,
                when.label_vi,
                catalog.portal.province.name,
                html_path,
                json_path,
                organization,
            )
        return result

    result = guarded(run, as_json)

    def human(d: dict[str, Any]) -> None:
        for item in d["indicators"].values():
            value = item["value"]
            shown = (
                "—"
                if value is None
                else (f"{value:.2f}" if item["unit"] == "datasets" else f"{value * 100:.1f} %")
            )
            typer.echo(f"{item['label']}: {shown} ({item['numerator']:g}/{item['denominator']:g})")
        typer.echo(f"HTML: {d['html']}\nJSON: {d['json']}")
        if "portal" in d:
            typer.echo(f"Published: {d['portal']['url']}")

    emit(result, as_json, human)
