"""Versioned releases on the portal: immutable, idempotent, atomic, with release notes.

A release is one validated state of a dataset (data + schema + metadata), identified by a
content fingerprint. Publishing:

1. reads the dataset's release state from the portal (read-only) and stops with "unchanged"
   when the fingerprint is the latest release's — nothing is written;
2. computes the version (MAJOR/MINOR/PATCH from the schema change; MAJOR needs approval),
   the row diff against the latest release and the release notes;
3. checks the organisation and the token's permission, takes the dataset's publication lock;
4. prepares the release out of public sight, in a private staging dataset: the CSV (its
   download URL contains the version), its typed DataStore table, `datapackage.json` and the
   validation report;
5. switches in one portal transaction (`dulieumo_release_switch`): the staged resources move
   into the public dataset, the stable "latest" links point at them, the metadata and the
   release list are updated; then the stable DataStore aliases are re-pointed in one
   DataStore transaction (`dulieumo_datastore_alias`);
6. applies the retention policy and gives the lock back.

A failure before step 5 leaves the public dataset as it was; the next run clears the staging
dataset and starts again. A failure after the switch's commit is repaired by the next run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from ckanapi import NotFound

from dulieumo.errors import PortalError, PortalUnavailable, TerminalError, ValidationFailed
from validate.html import write_html

from .client import PortalClient
from .datapackage import build_datapackage, write_datapackage
from .datastore import load_table
from .freshness import freshness_extras
from .lock import ReleaseLock, lock_owner
from .metadata import package_dict, switch_visibility
from .notes import ReleaseNotes
from .permissions import check_can_publish
from .retention import RetentionPolicy
from .rowdiff import diff_rows
from .versioning import SchemaChange, bump, compare_schemas

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from pull import PulledTable
    from validate import Report

ROLE_KEY = "dulieumo_role"
VERSION_KEY = "dulieumo_version"
EXTRA_VERSION = "dulieumo_version"
EXTRA_FINGERPRINT = "dulieumo_fingerprint"
EXTRA_RELEASES = "dulieumo_releases"
EXTRA_ALIAS = "dulieumo_datastore_alias"
LATEST_ROLES = ("latest-data", "latest-datapackage", "latest-report")
RELEASE_ROLES = ("release-data", "release-datapackage", "release-report")
#: per-release resources without a "latest" link of their own
RELEASE_EXTRA_ROLES = ("release-report-html",)


class BreakingChange(TerminalError):
    code = "breaking-change"


@dataclass
class ReleaseRecord:
    version: str
    created: str
    fingerprint: str
    sha256: str
    bytes: int
    rows: int
    level: str
    resources: dict[str, str] = field(default_factory=dict)  # role → resource id
    summary: str = ""
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ReleaseState:
    """What the portal knows of a dataset's releases (from package_show)."""

    package: dict[str, Any] | None
    releases: list[ReleaseRecord]
    fingerprint: str | None

    @classmethod
    def read(cls, package: dict[str, Any] | None) -> ReleaseState:
        if package is None or package.get("state") not in (None, "active"):
            return cls(package, [], None)
        extras = {e["key"]: e["value"] for e in package.get("extras", [])}
        try:
            raw = json.loads(extras.get(EXTRA_RELEASES, "[]"))
        except json.JSONDecodeError:
            raw = []
        releases = [ReleaseRecord(**r) for r in raw if isinstance(r, dict)]
        return cls(package, releases, extras.get(EXTRA_FINGERPRINT))

    @property
    def latest(self) -> ReleaseRecord | None:
        return self.releases[0] if self.releases else None

    def resource(self, resource_id: str | None) -> dict[str, Any] | None:
        for res in (self.package or {}).get("resources", []):
            if res["id"] == resource_id:
                return dict(res)
        return None

    def by_role(self, role: str) -> dict[str, Any] | None:
        for res in (self.package or {}).get("resources", []):
            if res.get(ROLE_KEY) == role:
                return dict(res)
        return None

    def missing_resources(self) -> list[str]:
        """Resources a release lists that someone removed from the portal by hand."""
        latest = self.latest
        if latest is None:
            return []
        missing = [rid for rid in latest.resources.values() if self.resource(rid) is None]
        missing += [role for role in LATEST_ROLES if self.by_role(role) is None]
        return missing


@dataclass
class ReleasePlan:
    dataset: str
    action: str  # create | release | unchanged
    version: str | None
    previous: str | None
    level: str
    schema_changes: list[dict[str, Any]]
    rows: dict[str, Any]
    metadata_diff: dict[str, Any]
    breaking: list[str] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def datastore_alias_name(dataset: str) -> str:
    return dataset.replace("-", "_")


def fingerprint(data_sha256: str, schema: dict[str, Any], metadata: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"data": data_sha256, "schema": schema, "metadata": metadata},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _metadata_diff(package: dict[str, Any] | None, wanted: dict[str, Any]) -> dict[str, Any]:
    if package is None:
        return {k: [None, v] for k, v in wanted.items() if k not in ("extras",)}
    diff: dict[str, Any] = {}
    for key in (
        "title",
        "notes",
        "license_id",
        "maintainer",
        "maintainer_email",
        "author",
        "owner_org",
    ):
        old = package.get(key)
        if key == "owner_org":
            old = (package.get("organization") or {}).get("name", old)
        if (old or "") != (wanted.get(key) or ""):
            diff[key] = [old, wanted.get(key)]
    for key in ("tags", "groups"):
        old_set = sorted(x["name"] for x in package.get(key, []))
        new_set = sorted(x["name"] for x in wanted.get(key, []))
        if old_set != new_set:
            diff[key] = [old_set, new_set]
    old_extras = {
        e["key"]: e["value"]
        for e in package.get("extras", [])
        if not e["key"].startswith("dulieumo_")
    }
    new_extras = {e["key"]: e["value"] for e in wanted.get("extras", [])}
    for key in sorted(set(old_extras) | set(new_extras)):
        if old_extras.get(key) != new_extras.get(key):
            diff[f"extras.{key}"] = [old_extras.get(key), new_extras.get(key)]
    return diff


def _download(client: PortalClient, res: dict[str, Any] | None, dest: Path) -> Path | None:
    if not res or not res.get("url"):
        return None
    headers = {"Authorization": client.token} if client.token else {}
    url = client.local_url(res["url"])
    try:
        with requests.get(url, headers=headers, timeout=120, stream=True) as resp:
            if resp.status_code == 404:
                return None
            if resp.status_code >= 500:
                raise PortalUnavailable(f"The portal answered {resp.status_code} for {url}.")
            resp.raise_for_status()
            with dest.open("wb") as fh:
                for chunk in resp.iter_content(1 << 20):
                    fh.write(chunk)
    except requests.ConnectionError:
        raise PortalUnavailable(f"The portal at {client.url} could not be reached.") from None
    return dest


def _previous_schema(
    client: PortalClient, state: ReleaseState, workdir: Path
) -> dict[str, Any] | None:
    latest = state.latest
    if latest is None:
        return None
    path = _download(
        client,
        state.resource(latest.resources.get("release-datapackage")),
        workdir / "previous-datapackage.json",
    )
    if path is None:
        return None
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    schema = descriptor["resources"][0].get("schema")
    return schema if isinstance(schema, dict) else None


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

    # ------------------------------------------------------------------ plan

    def plan(
        self,
        table: PulledTable,
        schema: dict[str, Any],
        *,
        approve_major: bool = False,
        note: str | None = None,
    ) -> tuple[ReleasePlan, ReleaseState, dict[str, Any], ReleaseNotes | None, str]:
        spec = self.spec
        current = self.client.exists("package_show", spec.name)
        state = ReleaseState.read(current)
        meta = package_dict(spec, self.portal)
        fp = fingerprint(table.sha256, schema, {k: v for k, v in meta.items() if k != "private"})
        repairs = state.missing_resources()
        if state.fingerprint == fp and state.latest and not repairs and note is None:
            plan = ReleasePlan(
                spec.name,
                "unchanged",
                state.latest.version,
                state.latest.version,
                "none",
                [],
                {},
                {},
            )
            return plan, state, meta, None, fp
        prev_schema = _previous_schema(self.client, state, self.workdir)
        change = compare_schemas(prev_schema, schema) if prev_schema else SchemaChange()
        level = change.level if state.latest else "major"
        if level == "none":
            level = "patch"
        previous = state.latest.version if state.latest else None
        version = bump(previous, level)
        while any(r.version == version for r in state.releases):  # after a rollback
            version = bump(version, "patch")
        prev_csv = _download(
            self.client,
            state.resource(state.latest.resources.get("release-data")) if state.latest else None,
            self.workdir / "previous.csv",
        )
        pk = schema.get("primaryKey") or []
        diff = diff_rows(prev_csv, table.path, [pk] if isinstance(pk, str) else list(pk))
        created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        notes = ReleaseNotes(
            version,
            previous,
            created,
            level if previous else "major",
            diff.added + diff.changed + diff.unchanged,
            diff,
            change,
            note=note,
        )
        breaking = [c.message for c in change.breaking] if previous else []
        plan = ReleasePlan(
            spec.name,
            "release" if current else "create",
            version,
            previous,
            level if previous else "initial",
            [c.to_dict() for c in change.changes],
            {
                "added": diff.added,
                "removed": diff.removed,
                "changed": diff.changed,
                "unchanged": diff.unchanged,
            },
            _metadata_diff(current, meta),
            breaking,
            repairs,
        )
        if breaking and not approve_major:
            raise BreakingChange(
                f"Dataset '{spec.name}': the schema changed incompatibly, which would make "
                f"version {version} (MAJOR):\n" + "\n".join(f"  - {m}" for m in breaking),
                hint=f"If this is intended, approve it: dulieumo publish {spec.name} "
                "--approve-major (or set `approve_major: true` in the spec for one run).",
            )
        return plan, state, meta, notes, fp

    # ------------------------------------------------------------------ publish

    def publish(
        self,
        table: PulledTable,
        report: Report,
        schema: dict[str, Any],
        *,
        dry_run: bool = False,
        approve_major: bool = False,
        note: str | None = None,
        retention: RetentionPolicy | None = None,
    ) -> PublishResult:
        spec = self.spec
        if not report.ok:
            raise ValidationFailed(
                f"Dataset '{spec.name}': validation found {report.error_count} error(s); "
                "nothing was published.",
                hint=f"Read the findings: dulieumo validate {spec.name}",
            )
        url = f"{self.client.url}/dataset/{spec.name}"
        # read-only, before anything else: a bad token fails even when nothing changed
        check_can_publish(self.client, spec, self.portal, create_missing=not dry_run)
        plan, state, meta, notes, fp = self.plan(
            table, schema, approve_major=approve_major, note=note
        )
        alias = datastore_alias_name(spec.name)
        if plan.action == "unchanged":
            if not dry_run:
                self._repair_alias(state, alias)
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
                notes=notes.to_dict() if notes else None,
            )
        assert notes is not None
        with ReleaseLock(self.client, spec.name, spec.organization, self.owner):
            return self._release(
                table, report, schema, state, meta, notes, fp, plan, retention or RetentionPolicy()
            )

    def _staging(self, public: dict[str, Any]) -> dict[str, Any]:
        """The private staging dataset, emptied of whatever a failed run left there."""
        name = f"{self.spec.name}--staging"
        staging = self.client.exists("package_show", name)
        if staging is None or staging.get("state") != "active":
            data = {
                "name": name,
                "title": f"[Chuẩn bị phát hành] {self.spec.title.vi}",
                "owner_org": self.spec.organization,
                "private": True,
                "notes": "Tập dữ liệu tạm dùng để chuẩn bị phiên bản mới; không công khai.",
            }
            if staging is not None:
                staging = self.client.call(
                    "package_patch", {"id": staging["id"], **data, "state": "active"}
                )
            else:
                staging = self.client.call("package_create", data)
        for res in staging.get("resources", []):
            self._drop_resource(res["id"])
        return dict(self.client.call("package_show", {"id": staging["id"]}))

    def _drop_resource(self, resource_id: str) -> None:
        try:
            self.client.call("datastore_delete", {"resource_id": resource_id, "force": True})
        except NotFound:
            pass
        try:
            self.client.call("resource_delete", {"id": resource_id})
        except NotFound:
            pass

    def _public(self, state: ReleaseState, meta: dict[str, Any]) -> dict[str, Any]:
        """The public dataset; a new one is created private until its first switch."""
        if state.package is not None and state.package.get("state") == "active":
            return state.package
        if state.package is not None:
            return dict(
                self.client.call(
                    "package_patch",
                    {"id": state.package["id"], **meta, "private": True, "state": "active"},
                )
            )
        return dict(self.client.call("package_create", {**meta, "private": True}))

    def _ensure_latest_links(self, public: dict[str, Any], state: ReleaseState) -> dict[str, str]:
        """The stable 'latest' resources; created (or re-created after a manual deletion)
        pointing at the current latest release, so nothing public changes before the switch."""
        state = ReleaseState.read(public) if state.package is None else state
        current = state.latest
        titles = {
            "latest-data": (
                "Dữ liệu mới nhất (CSV)",
                "CSV",
                "Luôn trỏ tới tệp CSV của phiên bản mới nhất. Địa chỉ này không đổi.",
            ),
            "latest-datapackage": (
                "datapackage.json mới nhất",
                "JSON",
                "Mô tả gói dữ liệu của phiên bản mới nhất.",
            ),
            "latest-report": (
                "Báo cáo kiểm tra chất lượng mới nhất",
                "JSON",
                "Kết quả kiểm tra dữ liệu của phiên bản mới nhất.",
            ),
        }
        ids: dict[str, str] = {}
        for role in LATEST_ROLES:
            res = ReleaseState.read(public).by_role(role) or state.by_role(role)
            if res is None:
                target = None
                if current:
                    release_res = state.resource(
                        current.resources.get(role.replace("latest-", "release-"))
                    )
                    target = release_res["url"] if release_res else None
                name, fmt, desc = titles[role]
                res = self.client.call(
                    "resource_create",
                    {
                        "package_id": public["id"],
                        "name": name,
                        "format": fmt,
                        "description": desc,
                        "url": target or f"{self.site_url()}/dataset/{self.spec.name}",
                        ROLE_KEY: role,
                    },
                )
            ids[role] = res["id"]
        return ids

    _site_url: str | None = None

    def site_url(self) -> str:
        if self._site_url is None:
            info = self.client.call("status_show", {})
            self._site_url = str(info.get("site_url") or self.client.url).rstrip("/")
        return self._site_url

    def _release(
        self,
        table: PulledTable,
        report: Report,
        schema: dict[str, Any],
        state: ReleaseState,
        meta: dict[str, Any],
        notes: ReleaseNotes,
        fp: str,
        plan: ReleasePlan,
        retention: RetentionPolicy,
    ) -> PublishResult:
        spec, client = self.spec, self.client
        version = notes.version
        public = self._public(state, meta)
        staging = self._staging(public)
        latest_ids = self._ensure_latest_links(public, state)

        csv_name = f"{spec.name}-v{version}.csv"
        notes.validation = _report_summary(report)
        descriptor = build_datapackage(
            spec,
            self.portal,
            table,
            schema,
            report_summary=notes.validation,
            created=notes.created,
            flow_run_id=self.flow_run_id,
            resource_filename=csv_name,
        )
        descriptor["version"] = version
        descriptor["x_dulieumo"]["release_notes"] = notes.to_dict()
        dp_path = write_datapackage(descriptor, self.workdir / f"datapackage-v{version}.json")
        report_path = self.workdir / f"validation-report-v{version}.json"
        report.write_json(report_path)
        html_path = write_html(
            report,
            self.workdir / f"validation-report-v{version}.html",
            table=table.path,
            version=version,
        )

        staged = {}
        staged["release-data"] = client.upload(
            "resource_create",
            {
                "package_id": staging["id"],
                ROLE_KEY: "release-data",
                VERSION_KEY: version,
                "name": f"Phiên bản {version} — dữ liệu (CSV)",
                "description": notes.markdown_vi(),
                "format": "CSV",
                "mimetype": "text/csv",
                "hash": f"sha256:{table.sha256}",
            },
            table.path,
            csv_name,
        )["id"]
        rows = load_table(client, staged["release-data"], table.path, schema)
        staged["release-datapackage"] = client.upload(
            "resource_create",
            {
                "package_id": staging["id"],
                ROLE_KEY: "release-datapackage",
                VERSION_KEY: version,
                "name": f"Phiên bản {version} — datapackage.json",
                "format": "JSON",
                "mimetype": "application/json",
                "description": "Mô tả gói dữ liệu: cấu trúc, mã băm, nguồn gốc, ghi chú phát hành.",
            },
            dp_path,
            f"datapackage-v{version}.json",
        )["id"]
        staged["release-report"] = client.upload(
            "resource_create",
            {
                "package_id": staging["id"],
                ROLE_KEY: "release-report",
                VERSION_KEY: version,
                "name": f"Phiên bản {version} — báo cáo kiểm tra",
                "format": "JSON",
                "mimetype": "application/json",
                "description": "Kết quả kiểm tra chất lượng dữ liệu của phiên bản này.",
            },
            report_path,
            f"validation-report-v{version}.json",
        )["id"]
        staged["release-report-html"] = client.upload(
            "resource_create",
            {
                "package_id": staging["id"],
                ROLE_KEY: "release-report-html",
                VERSION_KEY: version,
                "name": f"Phiên bản {version} — báo cáo kiểm tra (HTML)",
                "format": "HTML",
                "mimetype": "text/html",
                "description": "Báo cáo kiểm tra chất lượng dữ liệu, dễ đọc: tóm tắt, lỗi "
                "theo cột, ví dụ.",
            },
            html_path,
            f"validation-report-v{version}.html",
        )["id"]

        site = self.site_url()
        files = {
            "release-data": csv_name,
            "release-datapackage": f"datapackage-v{version}.json",
            "release-report": f"validation-report-v{version}.json",
        }
        record = ReleaseRecord(
            version,
            notes.created,
            fp,
            table.sha256,
            table.size,
            rows,
            notes.level,
            dict(staged),
            notes.summary_vi(),
            notes.note,
        )
        releases = [record, *state.releases]
        kept, dropped = retention.select(releases)
        drop_ids = [rid for r in releases if r.version in dropped for rid in r.resources.values()]
        releases = [r for r in releases if r.version in kept]
        release_extras = {
            EXTRA_VERSION: version,
            EXTRA_FINGERPRINT: fp,
            EXTRA_RELEASES: json.dumps([r.to_dict() for r in releases], ensure_ascii=False),
            EXTRA_ALIAS: datastore_alias_name(spec.name),
            "version_notes": notes.summary_vi(),
            **freshness_extras(spec, notes.created),
        }
        if plan.metadata_diff and state.package is not None:
            # descriptive metadata (title, tags, …) first; the release itself switches below
            kept = [
                e
                for e in public.get("extras", [])
                if e["key"].startswith("dulieumo_") or e["key"] == "version_notes"
            ]
            client.call(
                "package_patch",
                {
                    "id": public["id"],
                    **{k: v for k, v in meta.items() if k != "private"},
                    "extras": [*meta["extras"], *kept],
                },
            )
        update = {
            latest_ids[role]: {
                "url": f"{site}/dataset/{public['id']}/resource/{staged[src]}/download/"
                f"{files[src]}",
                "url_type": "",
                VERSION_KEY: version,
            }
            for role, src in zip(LATEST_ROLES, RELEASE_ROLES, strict=True)
        }
        order = [latest_ids[r] for r in LATEST_ROLES] + [
            rid
            for r in releases
            for rid in (r.resources.get(role) for role in (*RELEASE_ROLES, *RELEASE_EXTRA_ROLES))
            if rid
        ]
        client.call(
            "dulieumo_release_switch",
            {
                "id": public["id"],
                "staging_id": staging["id"],
                "owner": self.owner,
                "move": [staged[r] for r in (*RELEASE_ROLES, *RELEASE_EXTRA_ROLES)],
                "update_resources": update,
                "order": order,
                "extras": release_extras,
                "version": version,
                **switch_visibility(spec, first_release=state.latest is None),
                "delete_resources": drop_ids,
            },
        )
        alias = datastore_alias_name(spec.name)
        client.call(
            "dulieumo_datastore_alias",
            {"resource_id": staged["release-data"], "aliases": [alias, latest_ids["latest-data"]]},
        )
        for rid in drop_ids:  # retention: the dropped releases' tables
            try:
                client.call("datastore_delete", {"resource_id": rid, "force": True})
            except (NotFound, PortalError):
                pass
        return PublishResult(
            spec.name,
            f"{client.url}/dataset/{spec.name}",
            "created" if plan.action == "create" else "released",
            version,
            rows,
            plan.to_dict(),
            notes.to_dict(),
            dict(staged),
            alias,
            latest_ids["latest-data"],
        )

    def _repair_alias(self, state: ReleaseState, alias: str) -> None:
        """After a switch whose alias step failed, point the aliases at the latest release."""
        latest = state.latest
        link = state.by_role("latest-data")
        if latest is None or link is None:
            return
        target = latest.resources.get("release-data")
        self.client.call(
            "dulieumo_datastore_alias", {"resource_id": target, "aliases": [alias, link["id"]]}
        )


def _report_summary(report: Report) -> dict[str, Any]:
    d = report.to_dict()
    summary: dict[str, Any] = {k: d[k] for k in ("rows", "counts", "ok") if k in d}
    summary["error_count"] = report.error_count
    return summary
