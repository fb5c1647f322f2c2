"""`dulieumo catalog list|check` and `dulieumo new` (authoring the catalogue)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, guarded

catalog_app = typer.Typer(
    help="The declared datasets (datasets/, schemas/, validations/).", no_args_is_help=True
)


@catalog_app.command("list")
def catalog_list(as_json: JsonOpt = False) -> None:
    """List the datasets of the catalogue."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root

    specs = guarded(lambda: load_catalog(catalog_root()).datasets.values(), as_json)
    rows = [
        {
            "name": s.name,
            "agency": s.agency,
            "organization": s.organization,
            "title": s.title.vi,
            "frequency": str(s.frequency),
            "source": s.source.type,
            "spec": str(s.spec_path),
        }
        for s in sorted(specs, key=lambda s: (s.agency, s.name))
    ]

    def human(data: list[dict[str, str]]) -> None:
        for r in data:
            typer.echo(f"{r['name']:<32} {r['organization']:<28} {r['frequency']:<10} {r['title']}")
        typer.echo(f"{len(data)} dataset(s).")

    emit(rows, as_json, human)


@catalog_app.command("check")
def catalog_check(as_json: JsonOpt = False) -> None:
    """Check every spec, schema and suite without running anything; exit 1 on problems."""
    from app.authoring.check import check_catalog
    from dulieumo.paths import catalog_root

    problems = guarded(lambda: check_catalog(catalog_root()), as_json)
    data = [p.model_dump(mode="json") if hasattr(p, "model_dump") else vars(p) for p in problems]

    def human(items: list[dict[str, Any]]) -> None:
        for p in items:
            typer.echo(
                f"{p.get('severity', 'error')}: {p.get('file')}: {p.get('path') or ''}: "
                f"{p.get('message')}"
            )
        typer.echo("Catalogue OK." if not items else f"{len(items)} problem(s).")

    emit(data, as_json, human)
    if any(p.get("severity", "error") == "error" for p in data):
        raise typer.Exit(1)


def new_cmd(
    ref: Annotated[str, typer.Argument(help="<agency>/<dataset>, e.g. so-y-te/nha-thuoc")],
    sample: Annotated[Path, typer.Option("--from", help="A sample file (CSV or .xlsx)")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing drafts")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Draft a dataset spec, an inferred schema and a starter suite from a sample file."""
    from app.authoring.draft import draft
    from dulieumo.paths import catalog_root

    result = guarded(lambda: draft(catalog_root(), ref, sample, force=force), as_json)

    def human(d: Any) -> None:
        typer.echo(f"Drafted {d.fields} fields from {d.rows} sample rows:")
        for path in (d.spec, d.schema, d.suite):
            typer.echo(f"  {path.as_posix()}")
        typer.echo(f"{d.todos} TODO markers to fill in; then run: dulieumo catalog check")

    emit(result.to_dict() if as_json else result, as_json, human)
