"""``dulieumo new <agency>/<dataset> --from <sample file>`` (see app/authoring/draft.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer


def register_new(
    app: typer.Typer,
    guarded: Callable[..., Any],
    emit: Callable[[Any, bool, Callable[[Any], None]], None],
) -> None:
    @app.command("new")
    def new_cmd(
        ref: Annotated[str, typer.Argument(help="<agency>/<dataset>, e.g. so-y-te/nha-thuoc")],
        sample: Annotated[Path, typer.Option("--from", help="A sample file (CSV or .xlsx)")],
        force: Annotated[bool, typer.Option("--force", help="Overwrite existing drafts")] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print machine-readable JSON.")
        ] = False,
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
