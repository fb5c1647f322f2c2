"""``dulieumo catalog check``: every spec, schema and suite, without running anything.

Checks: the portal file; each dataset spec (fields, organisation and groups declared, files
exist); its Table Schema (via ``validate.schema.load_schema``); its suite (via
``validate.suite.load_suite``); the code lists its foreign keys point to; the source file.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from app.authoring.draft import todo_problems
from dulieumo.catalog.load import PORTAL_FILE, load_catalog
from dulieumo.catalog.sources import literal_credentials
from dulieumo.errors import SpecError

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CatalogProblem:
    file: str  # relative to the catalogue root
    path: str  # field path inside the file ("source.path", "fields[3].name"), "" if none
    message: str
    severity: Severity = "error"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{self.severity}: {where}: {self.message}"


def _from_error(exc: SpecError, default_file: str) -> list[CatalogProblem]:
    """The error's problems as values (a problem that names no file is in `default_file`)."""
    if exc.problems:
        return [CatalogProblem(p.file or default_file, p.path, p.message) for p in exc.problems]
    return [CatalogProblem(exc.file or default_file, exc.field or "", exc.message)]


def _codelist_problems(
    root: Path, schema_rel: str, descriptor: dict[str, Any], datasets: Collection[str] = ()
) -> list[CatalogProblem]:
    """Every foreign key must point to codelists/<resource>.csv holding the fields, or to
    another dataset of the catalogue (checked against its rows when validating)."""
    problems: list[CatalogProblem] = []
    for i, fk in enumerate(descriptor.get("foreignKeys") or []):
        if not isinstance(fk, dict):
            continue
        ref = fk.get("reference") or {}
        resource = ref.get("resource") if isinstance(ref, dict) else None
        path = f"foreignKeys[{i}].reference"
        if not resource or resource in datasets:  # "" = a self-reference
            continue
        csv_path = root / "codelists" / f"{resource}.csv"
        if not csv_path.is_file():
            problems.append(
                CatalogProblem(
                    schema_rel,
                    f"{path}.resource",
                    f"the code list '{resource}' does not exist "
                    f"(expected codelists/{resource}.csv)",
                )
            )
            continue
        if not (root / "schemas" / "codelists" / f"{resource}.json").is_file():
            problems.append(
                CatalogProblem(
                    schema_rel,
                    f"{path}.resource",
                    f"the code list '{resource}' has no schema "
                    f"(expected schemas/codelists/{resource}.json)",
                    "warning",
                )
            )
        with csv_path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        fields = ref.get("fields")
        wanted = [fields] if isinstance(fields, str) else list(fields or [])
        for name in wanted:
            if name not in header:
                problems.append(
                    CatalogProblem(
                        schema_rel,
                        f"{path}.fields",
                        f"the code list codelists/{resource}.csv has "
                        f"no column '{name}' (columns: {', '.join(header)})",
                    )
                )
    return problems


def check_catalog(root: Path) -> list[CatalogProblem]:
    """All problems of the catalogue under ``root``; an empty list means it is fine."""
    from validate.guard import plan as guard_plan
    from validate.schema import load_schema  # the validate stage owns schemas and suites
    from validate.suite import load_suite

    root = Path(root)
    try:
        catalog = load_catalog(root)
    except SpecError as exc:
        return _from_error(exc, PORTAL_FILE.as_posix())
    problems: list[CatalogProblem] = []
    if not catalog.files:
        problems.append(
            CatalogProblem(
                "datasets",
                "",
                "no dataset specs found (datasets/<agency>/<dataset>.yaml)",
                "warning",
            )
        )
    for name in catalog.names():
        spec_file = catalog.files[name]
        rel = spec_file.relative_to(root).as_posix()
        try:
            spec = catalog.get(name)
        except SpecError as exc:
            problems += _from_error(exc, rel)
            continue
        schema_rel = spec.schema_path.as_posix()
        try:
            schema = load_schema(root / spec.schema_path, root=root)
        except SpecError as exc:
            problems += _from_error(exc, schema_rel)
            schema = None
        if schema is not None:
            descriptor = getattr(schema, "descriptor", None)
            if isinstance(descriptor, dict):
                problems += _codelist_problems(root, schema_rel, descriptor, catalog.names())
            if spec.suite_path is not None:
                try:
                    load_suite(root / spec.suite_path, schema, root=root)
                except SpecError as exc:
                    problems += _from_error(exc, spec.suite_path.as_posix())
            try:
                guard_plan(schema, spec.quality)
            except SpecError as exc:
                problems += _from_error(exc, rel)
        source = spec.source
        problems += [
            CatalogProblem(
                rel,
                where,
                "holds a literal password or token: anyone who reads the spec (or its git "
                "history) can use it. Write it as ${VAR} (e.g. access_token=${SO_Y_TE_TOKEN}, "
                "Authorization: Bearer ${SO_Y_TE_TOKEN}) and set the variable where runs run",
                "warning",
            )
            for where in literal_credentials(source)
        ]
        if source.type == "file" and not (root / source.path).is_file():
            problems.append(
                CatalogProblem(
                    rel,
                    "source.path",
                    f"the file '{source.path.as_posix()}' does not exist yet",
                    "warning",
                )
            )
        drafts = [spec_file, root / spec.schema_path] + (
            [root / spec.suite_path] if spec.suite_path is not None else []
        )
        problems += [
            CatalogProblem(f, where, message) for f, where, message in todo_problems(root, drafts)
        ]
    return problems
