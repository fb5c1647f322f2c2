"""The files of a release and their upload into the private staging dataset.

A release has four files: the CSV (its download URL contains the version; it also gets a
typed DataStore table), its ``datapackage.json``, the validation report as JSON and as HTML.
The CSV is uploaded first (`data_artefact`): the datapackage names its download URL.
Publish does not render the HTML report: the caller passes it as bytes (`HtmlReport`, called
with the version), so publish depends on no other stage.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .client import PortalClient
from .datapackage import build_datapackage, write_datapackage
from .notes import ReleaseNotes
from .state import ROLE_KEY, VERSION_KEY

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from dulieumo.tables import PulledTable

#: the HTML validation report of a release, rendered by the caller for a version
HtmlReport = Callable[[str], bytes]


class ValidationReport(Protocol):
    """What publish needs of a validation report (validate's Report, or an archived one)."""

    @property
    def ok(self) -> bool: ...

    @property
    def error_count(self) -> int: ...

    def to_dict(self) -> dict[str, Any]: ...

    def write_json(self, path: Path) -> Any: ...


@dataclass(frozen=True)
class Artefact:
    """One file of a release, as a resource of the portal."""

    role: str  # release-data | release-datapackage | release-report | release-report-html
    path: Path
    filename: str
    name: str
    format: str
    mimetype: str
    description: str
    hash: str | None = None


def report_summary(report: ValidationReport) -> dict[str, Any]:
    d = report.to_dict()
    summary: dict[str, Any] = {k: d[k] for k in ("rows", "counts", "ok") if k in d}
    summary["error_count"] = report.error_count
    return summary


def data_artefact(
    spec: DatasetSpec, table: PulledTable, report: ValidationReport, notes: ReleaseNotes
) -> Artefact:
    """The release's CSV (the table itself), uploaded first; sets `notes.validation`."""
    notes.validation = report_summary(report)
    return Artefact(
        "release-data",
        table.path,
        f"{spec.name}-v{notes.version}.csv",
        f"Phiên bản {notes.version} — dữ liệu (CSV)",
        "CSV",
        "text/csv",
        notes.markdown_vi(),
        hash=f"sha256:{table.sha256}",
    )


def download_url(site_url: str, dataset_id: str, resource_id: str, filename: str) -> str:
    """Where the portal serves an uploaded file of the (public) dataset, as CKAN writes it."""
    return f"{site_url.rstrip('/')}/dataset/{dataset_id}/resource/{resource_id}/download/{filename}"


def release_artefacts(
    spec: DatasetSpec,
    portal: PortalSpec,
    table: PulledTable,
    report: ValidationReport,
    schema: dict[str, Any],
    notes: ReleaseNotes,
    *,
    workdir: Path,
    flow_run_id: str | None,
    html: HtmlReport | None,
    data_url: str,
) -> list[Artefact]:
    """The release's other files, written into `workdir`, once its CSV is on the portal at
    `data_url` (data_artefact has set `notes.validation`): datapackage.json and reports."""
    version = notes.version
    descriptor = build_datapackage(
        spec,
        portal,
        table,
        schema,
        report_summary=notes.validation,
        created=notes.created,
        flow_run_id=flow_run_id,
        data_url=data_url,
    )
    descriptor["version"] = version
    descriptor["x_dulieumo"]["release_notes"] = notes.to_dict()
    dp_name = f"datapackage-v{version}.json"
    report_name = f"validation-report-v{version}.json"
    dp_path = write_datapackage(descriptor, workdir / dp_name)
    report_path = workdir / report_name
    report.write_json(report_path)
    out = [
        Artefact(
            "release-datapackage",
            dp_path,
            dp_name,
            f"Phiên bản {version} — datapackage.json",
            "JSON",
            "application/json",
            "Mô tả gói dữ liệu: cấu trúc, mã băm, nguồn gốc, ghi chú phát hành.",
        ),
        Artefact(
            "release-report",
            report_path,
            report_name,
            f"Phiên bản {version} — báo cáo kiểm tra",
            "JSON",
            "application/json",
            "Kết quả kiểm tra chất lượng dữ liệu của phiên bản này.",
        ),
    ]
    if html is not None:
        html_name = f"validation-report-v{version}.html"
        html_path = workdir / html_name
        html_path.write_bytes(html(version))
        out.append(
            Artefact(
                "release-report-html",
                html_path,
                html_name,
                f"Phiên bản {version} — báo cáo kiểm tra (HTML)",
                "HTML",
                "text/html",
                "Báo cáo kiểm tra chất lượng dữ liệu, dễ đọc: tóm tắt, lỗi theo cột, ví dụ.",
            )
        )
    return out


def upload_artefact(client: PortalClient, staging_id: str, version: str, artefact: Artefact) -> str:
    """Upload one file as a resource of the staging dataset; its resource id."""
    data: dict[str, Any] = {
        "package_id": staging_id,
        ROLE_KEY: artefact.role,
        VERSION_KEY: version,
        "name": artefact.name,
        "description": artefact.description,
        "format": artefact.format,
        "mimetype": artefact.mimetype,
    }
    if artefact.hash:
        data["hash"] = artefact.hash
    return str(client.upload("resource_create", data, artefact.path, artefact.filename)["id"])
