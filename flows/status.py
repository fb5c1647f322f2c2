"""`dulieumo status`: how fresh each dataset is.

It joins the run history (core), the portal's view of each dataset (publish's client) and the
next scheduled run (Prefect, flows.schedule), so it lives with the flows, the lowest layer
allowed to import both a stage and the flows' schedule.
"""

from __future__ import annotations

from typing import Any

from dulieumo import history
from dulieumo.catalog import load_catalog
from dulieumo.catalog.schedule import schedule_of
from dulieumo.errors import DulieumoError
from dulieumo.freshness import freshness
from dulieumo.paths import catalog_root
from portal.target import portal_target
from publish.client import PortalClient

from .schedule import api_url, next_scheduled_runs


def collect_status(names: list[str]) -> list[dict[str, Any]]:
    """Each dataset's freshness (all datasets when ``names`` is empty): its run history, its
    latest release on the portal (when the portal answers) and its next run (Prefect's, when
    a server is configured, else the spec's schedule)."""
    catalog = load_catalog(catalog_root())
    specs = (
        [catalog.get(n) for n in names]
        if names
        else [s for _, s in sorted(catalog.datasets.items())]
    )
    records = history.latest_by_dataset()
    prefect_next: dict[str, str] = {}
    if api_url():  # only a configured server; never start an embedded one for this
        try:
            prefect_next = next_scheduled_runs()
        except Exception:  # unreachable: the next run comes from the spec's schedule
            prefect_next = {}
    client: PortalClient | None = None
    try:
        client = PortalClient(portal_target())
    except DulieumoError:
        client = None
    out = []
    for spec in specs:
        package, checked = None, False
        if client is not None:
            try:
                package = client.exists("package_show", spec.name)
                checked = True
            except DulieumoError:
                package = None
        item = freshness(
            spec.name,
            spec.organization,
            str(spec.frequency),
            schedule_of(spec),
            records.get(spec.name, []),
            package=package,
            portal_checked=checked,
            prefect_next=prefect_next.get(spec.name),
        ).to_dict()
        if item["last_release"] and client is not None:
            item["last_release"]["url"] = f"{client.url}/dataset/{spec.name}"
        out.append(item)
    return out
