"""`dulieumo catalog check`: every spec, schema and suite, without running anything."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dulieumo.errors import SpecError


@dataclass(frozen=True)
class CatalogProblem:
    file: str
    message: str
    severity: str = "error"  # error | warning

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _problems(exc: SpecError, default_file: str) -> list[CatalogProblem]:
    out = []
    for line in exc.message.splitlines():
        file, sep, rest = line.partition(": ")
        out.append(CatalogProblem(file if sep and "/" in file else default_file,
                                  rest if sep and "/" in file else line))
    return out


def check_catalog(root: Path) -> list[CatalogProblem]:
    from validate.schema import load_schema
    from validate.suite import load_suite

    from .load import load_catalog

    try:
        catalog = load_catalog(root)
    except SpecError as exc:
        return _problems(exc, "datasets/portal.yaml")
    problems: list[CatalogProblem] = []
    for name in catalog.names():
        rel = catalog.files[name].relative_to(root).as_posix()
        try:
            spec = catalog.get(name)
        except SpecError as exc:
            problems += _problems(exc, rel)
            continue
        try:
            schema = load_schema(root / spec.schema_path, root=root)
            if spec.suite_path is not None:
                load_suite(root / spec.suite_path, schema, root=root)
        except SpecError as exc:
            problems += _problems(exc, spec.schema_path.as_posix())
        source = spec.source
        if source.type == "file" and not (root / source.path).is_file():
            problems.append(CatalogProblem(rel, f"source.path: file '{source.path}' does not "
                                           "exist", "warning"))
        for text_file in (catalog.files[name], root / spec.schema_path):
            if "TODO" in text_file.read_text(encoding="utf-8"):
                problems.append(CatalogProblem(text_file.relative_to(root).as_posix(),
                                               "TODO markers left for the officer to fill in"))
    return problems
