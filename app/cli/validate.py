"""`dulieumo validate` and `dulieumo quarantine` (the validation stream's commands)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.main import EXIT_COULD_NOT_RUN, JsonOpt, _print_findings, emit, guarded


def validate_dataset(dataset: str, *, as_json: bool, report: str | None, html: str | None) -> None:
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root, run_dir
    from pull import pull_source
    from validate.run import UNREADABLE, validate_run

    def run() -> Any:
        catalog = load_catalog(catalog_root())
        spec = catalog.get(dataset)
        workdir = run_dir(
            spec.name, "validate-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        )
        table = pull_source(spec, root=catalog_root(), workdir=workdir)
        return validate_run(
            table.path,
            spec,
            root=catalog_root(),
            workdir=workdir,
            catalog=catalog,
            json_path=Path(report) if report else None,
            html_path=Path(html) if html else None,
        )

    result = guarded(run, as_json)
    rep = result.report
    data = rep.to_dict() | {
        "report_path": str(result.json_path),
        "html_path": str(result.html_path),
    }
    unreadable = sorted(UNREADABLE & set(rep.counts))

    def human(_: Any) -> None:
        _print_findings(rep)
        typer.echo(f"Report: {result.json_path}\nHTML:   {result.html_path}")
        if unreadable:
            typer.secho(
                f"error: {rep.file}: the file could not be read as CSV "
                f"({', '.join(unreadable)}); export it again as UTF-8 CSV.",
                fg=typer.colors.RED,
                err=True,
            )

    emit(data, as_json, human)
    if unreadable:
        raise typer.Exit(EXIT_COULD_NOT_RUN)
    if not rep.ok:
        raise typer.Exit(1)


def quarantine_cmd(
    dataset: Annotated[str | None, typer.Argument(help="Only this dataset")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List rejected runs kept in quarantine (input + JSON/HTML reports), newest first."""
    from validate.quarantine import list_quarantine, quarantine_root

    items = list_quarantine(dataset)

    def human(_: Any) -> None:
        if not items:
            typer.echo(
                f"No quarantined runs{f' of {dataset}' if dataset else ''} "
                f"(under {quarantine_root()})."
            )
            return
        for m in items:
            counts = ", ".join(f"{k} ×{v}" for k, v in m["counts"].items())
            typer.echo(f"{m['dataset']}  {m['run']}  {m['error_count']} error(s): {counts}")
            for name, path in m["files"].items():
                typer.echo(f"    {name:<12} {path}")
        typer.echo(f"{len(items)} quarantined run(s). Open report.html to see what to fix.")

    emit(items, as_json, human)
