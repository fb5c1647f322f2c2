"""What earlier releases and runs tell validation: the last release and other datasets.

Validation never calls the portal. The flow looks up what it needs from the latest release
(via publish) and passes it in as a plain value, `PreviousRelease`:

- `last`: version and row count of the latest release (the row-count drift check), or
  `unchecked`: why the portal could not tell;
- `references`: for another dataset of the catalogue named by a schema foreignKey
  (``reference.resource: co-so-kham-chua-benh``), the CSV of its latest published release.

`referenced_table(...)` then picks a referenced dataset's rows, in this order:
  1. its latest published release (from `references`),
  2. else the normalised table of its newest local run whose validation passed
     (``<work root>/runs/<dataset>/<run>/<dataset>.csv`` beside an ``ok`` report).
  Neither → SpecError saying to publish that dataset first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dulieumo.errors import SpecError

from .schema import load_schema


@dataclass(frozen=True)
class LastRelease:
    version: str
    rows: int


@dataclass(frozen=True)
class ReferencedRelease:
    """The CSV of another dataset's latest release, downloaded by the flow."""

    version: str
    path: Path


@dataclass(frozen=True)
class PreviousRelease:
    """What validation needs from earlier releases, looked up by the caller."""

    last: LastRelease | None = None
    unchecked: str | None = None  # why the last release could not be read (portal down…)
    references: Mapping[str, ReferencedRelease] = field(default_factory=dict)


def referenced_datasets(
    schema_path: Path, root: Path, datasets: Mapping[str, Path] | None
) -> list[str]:
    """Datasets of the catalogue the schema's foreign keys name (a code list of the same name
    in root/codelists/ wins, as in load_codelists)."""
    if not datasets:
        return []
    schema = load_schema(schema_path, root=root)
    return list(
        dict.fromkeys(
            fk.resource
            for fk in schema.foreign_keys
            if fk.resource in datasets and not (root / "codelists" / f"{fk.resource}.csv").is_file()
        )
    )


def _local_table(dataset: str) -> Path | None:
    from dulieumo.paths import work_root

    runs = work_root() / "runs" / dataset
    if not runs.is_dir():
        return None
    for run in sorted(runs.iterdir(), reverse=True):
        table, report = run / f"{dataset}.csv", run / "validation-report.json"
        if table.is_file() and report.is_file():
            try:
                if json.loads(report.read_text(encoding="utf-8")).get("ok"):
                    return table
            except (json.JSONDecodeError, OSError):
                continue
    return None


def referenced_table(
    dataset: str, *, where: str, previous: PreviousRelease | None = None
) -> tuple[Path, str]:
    """(CSV path, "portal:<version>" | "local:<run>") of another dataset's rows."""
    published = (previous.references if previous else {}).get(dataset)
    if published is not None:
        return published.path, f"portal:{published.version}"
    local = _local_table(dataset)
    if local is not None:
        return local, f"local:{local.parent.name}"
    raise SpecError(
        f"{where}: foreignKeys: the dataset '{dataset}' has no published release and no "
        "validated local run to check the keys against.",
        hint=f"Publish it first: dulieumo publish {dataset}",
    )
