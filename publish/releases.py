"""Versioned releases on the portal: immutable, idempotent, atomic, with release notes.

A release is one validated state of a dataset (data + schema + metadata), identified by a
content fingerprint. Publishing:

1. reads the dataset's release state from the portal (read-only) and stops with "unchanged"
   when the fingerprint is the latest release's — nothing is written (publish.planning);
2. computes the version (MAJOR/MINOR/PATCH from the schema change; MAJOR needs approval),
   the row diff against the latest release and the release notes (publish.planning);
3. checks the organisation and the token's permission, takes the dataset's publication lock;
4. prepares the release out of public sight, in a private staging dataset (publish.packages):
   the CSV (its download URL contains the version), its typed DataStore table,
   `datapackage.json` and the validation report (publish.artefacts);
5. switches in one portal transaction (`dulieumo_release_switch`): the staged resources move
   into the public dataset, the stable "latest" links point at them, the metadata and the
   release list are updated; then the stable DataStore aliases are re-pointed in one
   DataStore transaction (`dulieumo_datastore_alias`) (publish.switch);
6. applies the retention policy and gives the lock back.

A failure before step 5 leaves the public dataset as it was; the next run clears the staging
dataset and starts again. A failure after the switch's commit is repaired by the next run.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.errors import ValidationFailed

from .ahead import DiffAhead
from .ahead import result as ahead_result
from .artefacts import (
    HtmlReport,
    ValidationReport,
    data_artefact,
    download_url,
    release_artefacts,
    upload_artefact,
)
from .bulkload import load_release_table
from .client import PortalClient
from .lock import PublicationLocked, ReleaseLock, lock_owner
from .metadata import switch_visibility
from .packages import latest_links, public_dataset, staging_dataset
from .permissions import check_can_publish
from .planning import BreakingChange, Planned, ReleasePlan, plan_release
from .retention import RetentionPolicy
from .state import ReleaseRecord, ReleaseState
from .switch import (
    Switch,
    datastore_alias_name,
    point_aliases,
    release_extras,
    retain,
    switch_release,
    update_metadata,
)
from .views import ensure_views

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from dulieumo.tables import PulledTable

__all__ = [
    "BreakingChange",
    "PublicationLocked",
    "PublishResult",
    "ReleasePlan",
    "ReleaseState",
    "Releaser",
]


@dataclass
class PublishResult:
    dataset: str
    url: str
    action: str  # created | released | unchanged | planned
    version: str | None = None
    rows: int = 0
    plan: dict[str, Any] | None = None
    notes: dict[str, Any] | None = None
    resources: dict[str, str] = field(default_factory=dict)
    datastore_alias: str | None = None
    latest_resource_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Releaser:
    """Publishes one dataset's validated table as a release."""

    def __init__(
        self,
        client: PortalClient,
        spec: DatasetSpec,
        portal: PortalSpec,
        *,
        workdir: Path,
        flow_run_id: str | None = None,
    ) -> None:
        self.client = client
        self.spec = spec
        self.portal = portal
        self.workdir = workdir
        self.flow_run_id = flow_run_id
        self.owner = lock_owner(flow_run_id)
        self.rollback_of: str | None = None  # set by publish.rollback

    def plan(
        self,
        table: PulledTable,
        schema: dict[str, Any],
        *,
        approve_major: bool = False,
        note: str | None = None,
    ) -> Planned:
        """What publishing `table` would do (read only); see publish.planning."""
        return plan_release(
            self.client,
            self.spec,
            self.portal,
            table,
            schema,
            workdir=self.workdir,
            approve_major=approve_major,
            note=note,
            ahead=ahead_result(self.ahead),
        )

    # ------------------------------------------------------------------ publish

    def publish(
        self,
        table: PulledTable,
        report: ValidationReport,
        schema: dict[str, Any],
        *,
        dry_run: bool = False,
        approve_major: bool = False,
        note: str | None = None,
        retention: RetentionPolicy | None = None,
        html: HtmlReport | None = None,
        inputs: str | None = None,
    ) -> PublishResult:
        """Publish `table` as a new release (or say it is unchanged). `html(version)` is the
        rendered HTML validation report, uploaded beside the JSON one when given; `inputs`
        the hash of what the release is made from (see `unchanged_inputs`)."""
        self.inputs = inputs
        spec = self.spec
        if not report.ok:
            raise ValidationFailed(
                f"Dataset '{spec.name}': validation found {report.error_count} error(s); "
                "nothing was published.",
                hint=f"Read the findings: dulieumo validate {spec.name}",
                dataset=spec.name,
            )
        url = f"{self.client.url}/dataset/{spec.name}"
        # read-only, before anything else: a bad token fails even when nothing changed
        check_can_publish(self.client, spec, self.portal, create_missing=not dry_run)
        planned = self.plan(table, schema, approve_major=approve_major, note=note)
        plan, state = planned.plan, planned.state
        alias = datastore_alias_name(spec.name)
        if planned.unchanged:
            if not dry_run:
                self._repair_alias(state, alias)
                self._repair_previews(state, schema)
            latest = state.by_role("latest-data")
            return PublishResult(
                spec.name,
                url,
                "unchanged",
                plan.version,
                state.latest.rows if state.latest else 0,
                plan.to_dict(),
                datastore_alias=alias,
                latest_resource_id=latest["id"] if latest else None,
            )
        if dry_run:
            return PublishResult(
                spec.name,
                url,
                "planned",
                plan.version,
                plan=plan.to_dict(),
                notes=planned.notes.to_dict() if planned.notes else None,
            )
        with ReleaseLock(self.client, spec.name, spec.organization, self.owner):
            return self._release(table, report, schema, planned, retention, html)

    def unchanged_inputs(self, inputs: str) -> PublishResult | None:
        """ "unchanged" when the latest release was made from the same inputs (source bytes,
        spec, schema, suite, code lists, code version) and nothing of it is missing; read
        before the file is parsed, so an unchanged run costs a fetch and a hash. None: go on
        (pull, validate, publish)."""
        spec = self.spec
        check_can_publish(self.client, spec, self.portal, create_missing=False)
        state = ReleaseState.of(self.client, spec.name)
        latest = state.latest
        if (
            latest is None
            or latest.inputs != inputs
            or state.fingerprint != latest.fingerprint
            or state.missing_resources()
        ):
            return None
        alias = datastore_alias_name(spec.name)
        self._repair_alias(state, alias)
        link = state.by_role("latest-data")
        return PublishResult(
            spec.name,
            f"{self.client.url}/dataset/{spec.name}",
            "unchanged",
            latest.version,
            latest.rows,
            ReleasePlan(
                spec.name, "unchanged", latest.version, latest.version, "none", [], {}, {}
            ).to_dict(),
            datastore_alias=alias,
            latest_resource_id=link["id"] if link else None,
        )

    # ------------------------------------------------------------------ the release

    _site_url: str | None = None
    inputs: str | None = None
    #: the row diff a thread computed while the table was validated (publish.ahead)
    ahead: Future[DiffAhead | None] | None = None
    #: how the last release's DataStore table was filled: delta | copy | upsert
    load_mode: str | None = None

    def site_url(self) -> str:
        if self._site_url is None:
            info = self.client.call("status_show", {})
            self._site_url = str(info.get("site_url") or self.client.url).rstrip("/")
        return self._site_url

    def _release(
        self,
        table: PulledTable,
        report: ValidationReport,
        schema: dict[str, Any],
        planned: Planned,
        retention: RetentionPolicy | None,
        html: HtmlReport | None,
    ) -> PublishResult:
        """Stage the release's files, then switch (the lock is held)."""
        spec, client, notes = self.spec, self.client, planned.notes
        assert notes is not None  # a release that is not "unchanged" has notes
        state = planned.state
        public = public_dataset(client, state, planned.metadata)
        staging = staging_dataset(client, spec)
        latest_ids = latest_links(client, public, state, f"{self.site_url()}/dataset/{spec.name}")
        data = data_artefact(spec, table, report, notes)
        staged: dict[str, str] = {
            data.role: upload_artefact(client, staging["id"], notes.version, data)
        }
        base = state.latest.resources.get("release-data") if state.latest else None
        delta = notes.diff.delta if planned.same_schema else None
        rows, self.load_mode = load_release_table(
            client, staged[data.role], table.path, schema, base=base, delta=delta
        )
        ensure_views(client, staged[data.role], schema)  # moves with the table
        # the switch moves the resource into the public dataset, keeping its id
        data_url = download_url(self.site_url(), public["id"], staged[data.role], data.filename)
        artefacts = [
            data,
            *release_artefacts(
                spec,
                self.portal,
                table,
                report,
                schema,
                notes,
                workdir=self.workdir,
                flow_run_id=self.flow_run_id,
                html=html,
                data_url=data_url,
            ),
        ]
        for artefact in artefacts[1:]:
            staged[artefact.role] = upload_artefact(client, staging["id"], notes.version, artefact)
        record = ReleaseRecord(
            notes.version,
            notes.created,
            planned.fingerprint,
            table.sha256,
            table.size,
            rows,
            notes.level,
            dict(staged),
            notes.summary_vi(),
            notes.note,
            notes.diff.added,
            notes.diff.removed,
            notes.diff.changed,
            self.rollback_of,
            self.inputs,
        )
        retained = retain(record, state.releases, retention or RetentionPolicy())
        if planned.plan.metadata_diff and state.package is not None:
            update_metadata(client, public, planned.metadata)
        alias = datastore_alias_name(spec.name)
        switch = Switch(
            public["id"],
            staging["id"],
            self.owner,
            notes.version,
            staged,
            {a.role: a.filename for a in artefacts},
            latest_ids,
            retained,
            release_extras(spec, notes, planned.fingerprint, retained.releases),
            switch_visibility(spec, first_release=state.latest is None),
        )
        switch_release(client, switch, site=self.site_url(), alias=alias)
        ensure_views(client, latest_ids["latest-data"], schema)  # the alias's table preview
        return PublishResult(
            spec.name,
            f"{client.url}/dataset/{spec.name}",
            "created" if planned.plan.action == "create" else "released",
            notes.version,
            rows,
            planned.plan.to_dict(),
            notes.to_dict(),
            dict(staged),
            alias,
            latest_ids["latest-data"],
        )

    def _repair_previews(self, state: ReleaseState, schema: dict[str, Any]) -> None:
        """A portal published before previews existed: the latest link made queryable and
        the latest tables given their views, once (nothing is written when they are there)."""
        latest, link = state.latest, state.by_role("latest-data")
        if latest is None or link is None:
            return
        if not link.get("datastore_active"):
            self.client.call("resource_patch", {"id": link["id"], "datastore_active": True})
        for rid in (link["id"], latest.resources.get("release-data")):
            if rid:
                ensure_views(self.client, rid, schema)

    def _repair_alias(self, state: ReleaseState, alias: str) -> None:
        """After a switch whose alias step failed, point the aliases at the latest release."""
        latest = state.latest
        link = state.by_role("latest-data")
        if latest is None or link is None:
            return
        target = latest.resources.get("release-data")
        if target is not None:
            point_aliases(self.client, target, alias, link["id"])
