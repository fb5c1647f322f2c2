"""What validation needs from earlier releases, looked up on the portal by the flow.

Validation never calls the portal: the flow (and `dulieumo validate`) read the latest
release through publish's release state and hand validation a plain `PreviousRelease`.
"""

from __future__ import annotations

from pathlib import Path

from dulieumo.catalog import Catalog, DatasetSpec
from dulieumo.errors import DulieumoError
from portal.target import portal_target
from publish.client import PortalClient
from publish.state import ReleaseState
from validate.previous import LastRelease, PreviousRelease, ReferencedRelease, referenced_datasets
from validate.run import CatalogSchemas


def previous_release(
    spec: DatasetSpec,
    *,
    root: Path,
    workdir: Path,
    catalog: Catalog | None = None,
    client: PortalClient | None = None,
) -> PreviousRelease:
    """The latest release's version and rows (when the spec has a row-count tolerance) and
    the latest release CSV of each catalogue dataset its foreign keys name. Read only; a
    portal that cannot answer gives `unchecked` (a warning) and no references (validation
    then falls back on local runs)."""
    datasets = CatalogSchemas(catalog) if catalog is not None else None
    wanted = referenced_datasets(root / spec.schema_path, root, datasets)
    with_last = spec.quality.row_count_tolerance is not None
    if not wanted and not with_last:
        return PreviousRelease()
    try:
        client = client or PortalClient(portal_target())
    except DulieumoError as exc:
        return PreviousRelease(unchecked=exc.message if with_last else None)
    last, unchecked = None, None
    if with_last:
        try:
            latest = ReleaseState.of(client, spec.name).latest
        except DulieumoError as exc:
            unchecked = exc.message
        else:
            last = None if latest is None else LastRelease(latest.version, int(latest.rows))
    references: dict[str, ReferencedRelease] = {}
    for name in wanted:
        try:
            state = ReleaseState.of(client, name)
            record = state.latest
            if record is None:
                continue
            dest = workdir / f"ref-{name}-v{record.version}.csv"
            path = state.download(client, record, "release-data", dest)
        except DulieumoError:
            continue  # portal not reachable: validation falls back on the local table
        if path is not None:
            references[name] = ReferencedRelease(record.version, path)
    return PreviousRelease(last, unchecked, references)
