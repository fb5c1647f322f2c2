"""Small builders for validation tests: a schema, a CSV, a code list, one call to the stage."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dulieumo.catalog import DatasetSpec
from tests.support.specs import dataset_spec as make_spec
from validate.findings import Report
from validate.schema import load_schema
from validate.stage import load_codelists, validate_with
from validate.suite import load_suite


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def schema_of(*fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"fields": list(fields), **extra}


def run(
    root: Path,
    csv_text: str,
    schema: dict[str, Any],
    suite: dict[str, Any] | None = None,
    *,
    cap: int | None = None,
    codelists: dict[str, str] | None = None,
) -> Report:
    """Write the files under `root` (code lists as root/codelists/<name>.csv) and validate."""
    for name, text in (codelists or {}).items():
        write_text(root / "codelists" / f"{name}.csv", text)
    table = write_text(root / "data.csv", csv_text)
    loaded = load_schema(write_json(root / "schema.json", schema), root=root)
    loaded_suite = None
    if suite is not None:
        loaded_suite = load_suite(write_json(root / "suite.json", suite), loaded, root=root)
    return validate_with(
        table,
        loaded,
        loaded_suite,
        dataset="thu-nghiem",
        file="data.csv",
        codelists=load_codelists(loaded, root),
        cap=cap,
    )


def keys(report: Report, *codes: str) -> set[tuple[int | None, str | None]]:
    """(row, field) of the findings with one of `codes` (all codes when none given)."""
    return {(f.row, f.field) for f in report.findings if not codes or f.code in codes}


def dataset_spec(root: Path, schema: str, suite: str | None, source: str) -> DatasetSpec:
    """A DatasetSpec of a file source (`root` is where the paths are relative to)."""
    return make_spec(schema=schema, suite=suite, source=source)
