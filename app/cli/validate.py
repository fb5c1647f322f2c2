"""`dulieumo validate` and `dulieumo quarantine` (the validation stream's commands)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.output import EXIT_COULD_NOT_RUN, JsonOpt, emit, guarded


def validate_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name, e.g. co-so-kham-chua-benh")],
    as_json: JsonOpt = False,
    report: Annotated[
        str | None, typer.Option("--report", help="Write the JSON report here")
    ] = None,
    html: Annotated[
        str | None, typer.Option("--html", help="Write the Vietnamese HTML report here")
    ] = None,
) -> None:
    """Pull and validate a dataset without publishing. Exit 0 clean, 1 findings, 2 could not run."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root, run_dir
    from flows.previous import previous_release
    from pull import pull_source
    from validate.run import UNREADABLE, validate_run

    def run() -> Any:
        catalog = load_catalog(catalog_root())
        spec = catalog.get(dataset)
        workdir = run_dir(
            spec.name, "validate-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        )
        table = pull_source(spec, root=catalog_root(), workdir=workdir)
        previous = previous_release(spec, root=catalog_root(), workdir=workdir, catalog=catalog)
        return validate_run(
            table.path,
            spec,
            root=catalog_root(),
            workdir=workdir,
            catalog=catalog,
            previous=previous,
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
        print_findings(rep)
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


def print_findings(rep: Any, limit: int = 20) -> None:
    if rep.ok and not rep.findings:
        typer.echo(f"{rep.dataset}: {rep.rows} rows, no findings.")
        return
    for f in rep.findings[:limit]:
        where = ", ".join(
            x
            for x in (
                f.file and str(f.file),
                f.row and f"dòng {f.row}",
                f.field and f"cột {f.field}",
            )
            if x
        )
        typer.echo(f"[{f.severity}] {f.code} ({where}): {f.message}")
    if len(rep.findings) > limit:
        typer.echo(f"… {len(rep.findings) - limit} more in the report.")
    typer.echo(f"{rep.dataset}: {rep.rows} rows; {summary_counts(rep)}.")
    trimmed = rep.stats.get("whitespace_trimmed_cells")
    if trimmed:
        typer.echo(
            f"Whitespace: {trimmed} cell(s) had leading/trailing spaces or NBSP trimmed "
            "(conventions.trim_whitespace)."
        )


def summary_counts(rep: Any) -> str:
    """'1 error(s) (type-error: 1); 2 warning(s) (formula-escaped: 2)': errors and warnings
    counted apart."""

    def part(n: int, word: str, counts: Any) -> str:
        shown = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()) if v)
        return f"{n} {word}(s)" + (f" ({shown})" if shown else "")

    text = part(rep.error_count, "error", rep.error_counts)
    if rep.warning_count:
        text += "; " + part(rep.warning_count, "warning", rep.warning_counts)
    return text
