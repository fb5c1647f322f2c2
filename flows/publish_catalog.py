"""Publish every dataset of the catalogue in one flow run; one failure never stops the rest."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, get_run_logger

from dulieumo.catalog import load_catalog
from dulieumo.errors import DulieumoError
from dulieumo.paths import catalog_root

from .publish_dataset import RunOutcome, run_dataset


@flow(name="publish-catalog", log_prints=True)
def publish_catalog(root: str | None = None, dry_run: bool = False) -> list[RunOutcome]:
    base = Path(root) if root else catalog_root()
    catalog = load_catalog(base)
    outcomes: list[RunOutcome] = []
    for name, spec in sorted(catalog.datasets.items()):
        try:
            outcomes.append(run_dataset(spec, catalog, base, dry_run))
        except DulieumoError as exc:
            get_run_logger().error("%s failed: %s", name, exc.message)
            outcomes.append(RunOutcome(name, "failed", error=exc.to_dict()))
    return outcomes
