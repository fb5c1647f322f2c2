"""What the portal knows of a dataset's releases, and the downloads of their files.

The one module that reads release state: the releaser, the rollback and the flow (which
looks up what validation needs from the last release) all go through it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .client import PortalClient

ROLE_KEY = "dulieumo_role"
VERSION_KEY = "dulieumo_version"
EXTRA_FINGERPRINT = "dulieumo_fingerprint"
EXTRA_RELEASES = "dulieumo_releases"
EXTRA_ALIAS = "dulieumo_datastore_alias"
LATEST_ROLES = ("latest-data", "latest-datapackage", "latest-report")
RELEASE_ROLES = ("release-data", "release-datapackage", "release-report")
#: per-release resources without a "latest" link of their own
RELEASE_EXTRA_ROLES = ("release-report-html",)


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
    rows_added: int | None = None
    rows_removed: int | None = None
    rows_changed: int | None = None
    rollback_of: str | None = None  # the version a rollback restored
    #: hash of what the release was made from, before parsing: the source's bytes, the
    #: spec, schema, suite, code lists and code version (None: not known, e.g. an API)
    inputs: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReleaseRecord:
        """A record as the portal shows it; keys this version does not know are ignored."""
        return cls(**{k: v for k, v in data.items() if k in _RECORD_FIELDS})


_RECORD_FIELDS = frozenset(ReleaseRecord.__dataclass_fields__)


def _release_list(package: dict[str, Any], extras: dict[str, Any]) -> list[Any]:
    """The release list: the schema's field (a list, in package_show) or, on a portal
    without the dataset schema, the JSON text of the extra of the same name."""
    raw = package.get(EXTRA_RELEASES)
    if raw is None:
        raw = extras.get(EXTRA_RELEASES, "[]")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw or "[]")
        except json.JSONDecodeError:
            raw = []
    return raw if isinstance(raw, list) else []


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
        raw = _release_list(package, extras)
        releases = [ReleaseRecord.from_dict(r) for r in raw if isinstance(r, dict)]
        fingerprint = package.get(EXTRA_FINGERPRINT) or extras.get(EXTRA_FINGERPRINT)
        return cls(package, releases, fingerprint)

    @classmethod
    def of(cls, client: PortalClient, dataset: str) -> ReleaseState:
        """The dataset's state as the portal has it now (read only)."""
        return cls.read(client.exists("package_show", dataset))

    @property
    def latest(self) -> ReleaseRecord | None:
        return self.releases[0] if self.releases else None

    def find(self, version: str) -> ReleaseRecord | None:
        return next((r for r in self.releases if r.version == version), None)

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

    def download(
        self, client: PortalClient, record: ReleaseRecord | None, role: str, dest: Path
    ) -> Path | None:
        """The file of `record`'s resource of `role` ("release-data"...) saved at `dest`;
        None when there is no such release or file."""
        if record is None:
            return None
        res = self.resource(record.resources.get(role))
        if not res or not res.get("url"):
            return None
        dest.parent.mkdir(parents=True, exist_ok=True)
        return client.download(res["url"], dest)

    def release_schema(
        self, client: PortalClient, record: ReleaseRecord | None, workdir: Path
    ) -> dict[str, Any] | None:
        """The Table Schema of a release (from its datapackage.json), or None."""
        if record is None:
            return None
        path = self.download(
            client,
            record,
            "release-datapackage",
            workdir / "previous-datapackage.json",
        )
        if path is None:
            return None
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        schema = descriptor["resources"][0].get("schema")
        return schema if isinstance(schema, dict) else None
