"""The validation stage as a run calls it (flow and CLI): validate, write the JSON and HTML
reports into the run folder, add Prefect artifacts; on failure, quarantine."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Report
from .html import write_html
from .previous import PreviousRelease
from .quarantine import quarantine
from .schema import load_schema

if TYPE_CHECKING:
    from dulieumo.catalog import Catalog, DatasetSpec

REPORT_JSON = "validation-report.json"
REPORT_HTML = "validation-report.html"
#: findings that mean the file could not be read at all (the CLI exits 2 on these)
UNREADABLE = frozenset({"binary-file", "encoding-error", "line-too-long", "source-error"})


class CatalogSchemas(Mapping[str, Path]):
    """dataset name → schema path, read lazily (only datasets a foreign key names)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __getitem__(self, name: str) -> Path:
        if name not in self.catalog.files:
            raise KeyError(name)
        return Path(self.catalog.get(name).schema_path)

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalog.names())

    def __len__(self) -> int:
        return len(self.catalog.files)

    def __contains__(self, name: object) -> bool:
        return name in self.catalog.files


@dataclass
class Validated:
    report: Report
    json_path: Path
    html_path: Path
    quarantine: Path | None = None


def validate_run(
    table: Path,
    spec: DatasetSpec,
    *,
    root: Path,
    workdir: Path,
    catalog: Catalog | None = None,
    previous: PreviousRelease | None = None,
    html_path: Path | None = None,
    json_path: Path | None = None,
) -> Validated:
    """`previous`: what the caller looked up of earlier releases (see validate.previous)."""
    datasets = CatalogSchemas(catalog) if catalog is not None else None
    from .stage import validate_table  # numpy, pandas, pyarrow, GX: only when validating

    report = validate_table(table, spec, root=root, datasets=datasets, previous=previous)
    out_json = report.write_json(json_path or workdir / REPORT_JSON)
    schema = load_schema(root / spec.schema_path, root=root)
    out_html = write_html(report, html_path or workdir / REPORT_HTML, table=table, schema=schema)
    try:
        from .artifacts import publish_artifacts

        publish_artifacts(report, report_path=str(out_json))
    except Exception:  # an artifact is a courtesy: never fail a run for it
        pass
    return Validated(report, out_json, out_html)


def quarantine_run(report: Report, spec: DatasetSpec, table: Path, *, root: Path, run: str) -> Path:
    """Keep the rejected input and its reports under <work root>/quarantine/<dataset>/<run>/."""
    schema = load_schema(root / spec.schema_path, root=root)
    return quarantine(spec.name, run, table, report, source=report.file, schema=schema)
