"""What the portal (read only) and earlier runs know: the last release and other datasets.

Used by the cross-release checks before anything is written:

- `last_release(client, dataset)`: version and row count of the latest release, from the
  ``dulieumo_releases`` extra of ``package_show`` (publish/releases.py writes it);
- `referenced_table(...)`: the rows of *another dataset of the catalogue* named by a schema
  foreignKey (``reference.resource: co-so-kham-chua-benh``), in this order:
  1. its latest published release on the portal (the CSV of the "release-data" resource),
  2. else the normalised table of its newest local run whose validation passed
     (``<work root>/runs/<dataset>/<run>/<dataset>.csv`` beside an ``ok`` report).
  Neither → SpecError saying to publish that dataset first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dulieumo.errors import DulieumoError, SpecError


@dataclass(frozen=True)
class LastRelease:
    version: str
    rows: int


def _client() -> Any:
    from portal.target import portal_target
    from publish.client import PortalClient

    return PortalClient(portal_target())


def _state(client: Any, dataset: str) -> Any:
    from publish.releases import ReleaseState

    return ReleaseState.read(client.exists("package_show", dataset))


def last_release(dataset: str, client: Any | None = None) -> LastRelease | None:
    """The latest release's version and rows, or None when the dataset has no release.
    Raises DulieumoError (PortalUnavailable / PortalError) when the portal cannot answer."""
    state = _state(client or _client(), dataset)
    latest = state.latest
    return None if latest is None else LastRelease(latest.version, int(latest.rows))


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
    dataset: str, workdir: Path, *, where: str, client: Any | None = None
) -> tuple[Path, str]:
    """(CSV path, "portal:<version>" | "local:<run>") of another dataset's rows."""
    from publish.releases import _download

    try:
        client = client or _client()
        state = _state(client, dataset)
        latest = state.latest
        if latest is not None:
            res = state.resource(latest.resources.get("release-data"))
            workdir.mkdir(parents=True, exist_ok=True)
            path = _download(client, res, workdir / f"ref-{dataset}-v{latest.version}.csv")
            if path is not None:
                return path, f"portal:{latest.version}"
    except DulieumoError:
        pass  # portal not reachable: fall back on the local table
    local = _local_table(dataset)
    if local is not None:
        return local, f"local:{local.parent.name}"
    raise SpecError(
        f"{where}: foreignKeys: the dataset '{dataset}' has no published release and no "
        "validated local run to check the keys against.",
        hint=f"Publish it first: dulieumo publish {dataset}",
    )
