"""Make an earlier release the latest again — as a new release, keeping the history."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.errors import TerminalError

from .artefacts import HtmlReport
from .client import PortalClient
from .releases import PublishResult, Releaser
from .state import ReleaseState

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec


@dataclass
class ArchivedTable:
    """An earlier release's CSV, downloaded again: what the releaser needs of a pulled table."""

    path: Path
    sha256: str
    raw_sha256: str
    size: int
    source_uri: str
    fetched_at: str
    encoding: str = "utf-8"


class ArchivedReport:
    """The earlier release's validation report, reused as it was."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.ok = True
        self.error_count = 0
        self.rows = int(data.get("rows", 0))
        self.counts: dict[str, int] = dict(data.get("counts", {}))

    def to_dict(self) -> dict[str, Any]:
        return self.data | {"ok": True}

    def write_json(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def archived_html(path: Path) -> HtmlReport:
    """The release's own HTML report, uploaded again as it was."""
    data = path.read_bytes()
    return lambda version: data


def releases(client: PortalClient, dataset: str) -> list[dict[str, Any]]:
    state = ReleaseState.of(client, dataset)
    return [r.to_dict() for r in state.releases]


def rollback(
    client: PortalClient,
    spec: DatasetSpec,
    portal: PortalSpec,
    to_version: str,
    *,
    workdir: Path,
    flow_run_id: str | None = None,
) -> PublishResult:
    state = ReleaseState.of(client, spec.name)
    record = state.find(to_version)
    if record is None:
        known = ", ".join(r.version for r in state.releases) or "none"
        raise TerminalError(
            f"Dataset '{spec.name}' has no release {to_version} on {client.url} "
            f"(releases: {known}).",
            hint=f"List them with: dulieumo releases {spec.name}",
            dataset=spec.name,
        )
    csv_path = state.download(
        client, record, "release-data", workdir / f"rollback-v{to_version}.csv"
    )
    dp_path = state.download(
        client,
        record,
        "release-datapackage",
        workdir / f"rollback-datapackage-v{to_version}.json",
    )
    # the HTML report of the release, reused as it was (publish renders no report)
    html_path = state.download(
        client,
        record,
        "release-report-html",
        workdir / f"rollback-report-v{to_version}.html",
    )
    if csv_path is None or dp_path is None:
        raise TerminalError(
            f"The files of release {to_version} of '{spec.name}' are no longer on the portal.",
            hint="Choose another version (dulieumo releases …) or publish from the source.",
        )
    descriptor = json.loads(dp_path.read_text(encoding="utf-8"))
    schema = descriptor["resources"][0]["schema"]
    data = csv_path.read_bytes()
    table = ArchivedTable(
        csv_path,
        hashlib.sha256(data).hexdigest(),
        descriptor.get("x_dulieumo", {}).get("provenance", {}).get("source_sha256", ""),
        len(data),
        f"release:{to_version}",
        dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
    )
    report = ArchivedReport(descriptor.get("x_dulieumo", {}).get("validation", {}))
    releaser = Releaser(client, spec, portal, workdir=workdir, flow_run_id=flow_run_id)
    releaser.rollback_of = to_version
    return releaser.publish(
        table,  # type: ignore[arg-type]  # what the releaser reads of a PulledTable
        report,
        schema,
        approve_major=True,
        note=f"Khôi phục dữ liệu của phiên bản {to_version} (phát hành ngày "
        f"{record.created[:10]}).",
        html=None if html_path is None else archived_html(html_path),
    )
