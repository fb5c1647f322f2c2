"""Publish sample datasets to the running portal in-process (pull → validate → Releaser),
without Prefect or a CLI subprocess: what the DCAT, harvest and datapackage tests stand on."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from publish.client import PortalClient
from publish.releases import PublishResult, Releaser
from pull import pull_source
from validate import validate_table


def publish(root: Path, portal: Any, name: str, work: Path) -> PublishResult:
    """Publish dataset `name` of the catalogue at `root` as the publisher; the result."""
    catalog = load_catalog(root)
    spec = catalog.get(name)
    run = work / f"{name}-{len(list(work.glob(f'{name}-*')))}"
    table = pull_source(spec, root=root, workdir=run)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    client = PortalClient(PortalTarget(portal.url, portal.token("publisher")))
    releaser = Releaser(client, spec, catalog.portal, workdir=run, flow_run_id="test")
    return releaser.publish(table, report, schema)


def dataset_names(root: Path) -> list[str]:
    """Every dataset of the catalogue at `root`."""
    return sorted(load_catalog(root).names())
