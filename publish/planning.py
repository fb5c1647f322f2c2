"""Planning a release, read only: is anything new, which version, what changed.

`plan_release` reads the dataset's release state, stops with "unchanged" when the content
fingerprint is the latest release's, else computes the version (MAJOR/MINOR/PATCH from the
schema change; MAJOR needs approval), the row diff against the latest release and the notes.
Nothing is written to the portal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.errors import TerminalError

from .ahead import DiffAhead
from .client import PortalClient
from .metadata import OBSOLETE_EXTRAS, SCHEMA_FIELDS, package_dict
from .notes import ReleaseNotes
from .rowdelta import RowDiff
from .state import ReleaseState
from .versioning import Level, SchemaChange, bump, compare_schemas, primary_key

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from dulieumo.tables import PulledTable

#: the descriptive metadata compared with the portal's (besides tags and groups)
DESCRIPTIVE_KEYS = (
    "title",
    "notes",
    "license_id",
    "maintainer",
    "maintainer_email",
    "author",
    "owner_org",
    *SCHEMA_FIELDS,
)


class BreakingChange(TerminalError):
    code = "breaking-change"


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
class Planned:
    """Everything a release needs after planning (the plan itself is what is shown)."""

    plan: ReleasePlan
    state: ReleaseState  # the portal's release state, as read before planning
    metadata: dict[str, Any]  # the package dict wanted on the portal
    fingerprint: str
    notes: ReleaseNotes | None = None  # None when unchanged
    same_schema: bool = False  # the Table Schema is the latest release's, byte for byte

    @property
    def unchanged(self) -> bool:
        return self.plan.action == "unchanged"


def fingerprint(data_sha256: str, schema: dict[str, Any], metadata: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"data": data_sha256, "schema": schema, "metadata": metadata},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def metadata_diff(package: dict[str, Any] | None, wanted: dict[str, Any]) -> dict[str, Any]:
    """{key: [portal's value, wanted value]} of the descriptive metadata that differs."""
    if package is None:
        return {k: [None, v] for k, v in wanted.items() if k not in ("extras",)}
    diff: dict[str, Any] = {}
    for key in DESCRIPTIVE_KEYS:
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
    # the free extras of releases before the dataset schema: removed at the next release
    for extra in package.get("extras", []):
        if extra["key"] in OBSOLETE_EXTRAS:
            diff[f"extras.{extra['key']}"] = [extra["value"], None]
    return diff


def next_version(state: ReleaseState, level: Level) -> str:
    """The version after the latest release at `level`; past any version a rollback made."""
    version = bump(state.latest.version if state.latest else None, level)
    while state.find(version) is not None:
        version = bump(version, "patch")
    return version


def plan_release(
    client: PortalClient,
    spec: DatasetSpec,
    portal: PortalSpec,
    table: PulledTable,
    schema: dict[str, Any],
    *,
    workdir: Path,
    approve_major: bool = False,
    note: str | None = None,
    ahead: DiffAhead | None = None,
) -> Planned:
    """The plan of publishing `table` (read only); BreakingChange when it would be MAJOR and
    that is not approved."""
    current = client.exists("package_show", spec.name)
    state = ReleaseState.read(current)
    meta = package_dict(spec, portal)
    fp = fingerprint(table.sha256, schema, {k: v for k, v in meta.items() if k != "private"})
    repairs = state.missing_resources()
    latest = state.latest
    if state.fingerprint == fp and latest and not repairs and note is None:
        plan = ReleasePlan(
            spec.name, "unchanged", latest.version, latest.version, "none", [], {}, {}
        )
        return Planned(plan, state, meta, fp)
    prev_schema = state.release_schema(client, latest, workdir)
    change = compare_schemas(prev_schema, schema) if prev_schema else SchemaChange()
    level: Level = change.level if latest else "major"
    if level == "none":
        level = "patch"
    previous = latest.version if latest else None
    version = next_version(state, level)
    key = primary_key(schema)
    if ahead is not None and ahead.fits(previous, table.sha256, key):
        diff = ahead.diff  # compared while the table was validated
    else:
        prev_csv = state.download(client, latest, "release-data", workdir / "previous.csv")
        from .rowdiff import diff_rows  # numpy, pandas, pyarrow: only where rows are compared

        diff = diff_rows(prev_csv, table.path, key)
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
        _row_counts(diff),
        metadata_diff(current, meta),
        breaking,
        repairs,
    )
    if breaking and not approve_major:
        raise BreakingChange(
            f"Dataset '{spec.name}': the schema changed incompatibly, which would make "
            f"version {version} (MAJOR):\n" + "\n".join(f"  - {m}" for m in breaking),
            hint=f"If this is intended, approve it: dulieumo publish {spec.name} "
            "--approve-major (or set `approve_major: true` in the spec for one run).",
            dataset=spec.name,
        )
    return Planned(plan, state, meta, fp, notes, prev_schema == schema)


def _row_counts(diff: RowDiff) -> dict[str, Any]:
    return {
        "added": diff.added,
        "removed": diff.removed,
        "changed": diff.changed,
        "unchanged": diff.unchanged,
    }
