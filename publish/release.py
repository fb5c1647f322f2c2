"""Publish one validated table of a dataset to the portal.

Order matters: everything that can be refused (organisation, permission) is checked before
the first write, so a token without permission or a missing organisation changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.errors import PortalError, ValidationFailed

from .client import PortalClient
from .datapackage import build_datapackage, write_datapackage
from .datastore import load_table
from .metadata import package_dict
from .organizations import _ensure, _group_dict, _org_dict

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from pull import PulledTable
    from validate import Report

ROLE_KEY = "dulieumo_role"


@dataclass
class PublishResult:
    dataset: str
    url: str
    action: str  # created | updated | planned
    rows: int = 0
    resources: dict[str, str] = field(default_factory=dict)
    datastore_resource_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_can_publish(client: PortalClient, spec: DatasetSpec, portal: PortalSpec) -> None:
    """Refuse early, before any write: organisation exists (or can be made) and token may write."""
    org = next((o for o in portal.organizations if o.name == spec.organization), None)
    if client.exists("organization_show", spec.organization) is None:
        if org is None:
            raise PortalError(f"Organisation '{spec.organization}' is not in the portal file.")
        _ensure(client._ckan, "organization", _org_dict(org), None)
    allowed = client.call("organization_list_for_user", {"permission": "create_dataset"})
    names = {o.get("name") for o in allowed or []}
    if spec.organization not in names:
        raise PortalError(
            f"Dataset '{spec.name}': the API token is invalid or has no editor right on the "
            f"organisation '{spec.organization}' at {client.url}; nothing was published.",
            hint="Use an editor token of that organisation (CKAN_API_TOKEN), or ask the portal's "
            "sysadmin to make the token's user an editor there.",
        )
    for group_name in spec.groups:
        if client.exists("group_show", group_name) is None:
            group = next((g for g in portal.groups if g.name == group_name), None)
            if group is None:
                raise PortalError(f"Group '{group_name}' is not in the portal file.")
            _ensure(client._ckan, "group", _group_dict(group), None)


def _find_resource(package: dict[str, Any], role: str) -> dict[str, Any] | None:
    for res in package.get("resources", []):
        if res.get(ROLE_KEY) == role:
            return dict(res)
    return None


def _put_resource(
    client: PortalClient,
    package: dict[str, Any],
    role: str,
    path: Path,
    filename: str,
    meta: dict[str, Any],
) -> dict[str, Any]:
    current = _find_resource(package, role)
    data = {**meta, ROLE_KEY: role}
    if current:
        return dict(client.upload("resource_update", {"id": current["id"], **data}, path, filename))
    return dict(
        client.upload("resource_create", {"package_id": package["id"], **data}, path, filename)
    )


def publish_table(
    client: PortalClient,
    spec: DatasetSpec,
    portal: PortalSpec,
    table: PulledTable,
    report: Report,
    *,
    root: Path,
    workdir: Path,
    flow_run_id: str | None = None,
    dry_run: bool = False,
) -> PublishResult:
    if not report.ok:
        raise ValidationFailed(
            f"Dataset '{spec.name}': validation found {report.error_count} error(s); "
            "nothing was published.",
            hint=f"Read the report (dulieumo validate {spec.name}), fix the source, run again.",
        )
    url = f"{client.url}/dataset/{spec.name}"
    existing = client.exists("package_show", spec.name)
    if dry_run:
        return PublishResult(spec.name, url, "planned" if existing is None else "planned-update")
    check_can_publish(client, spec, portal)

    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    csv_name = f"{spec.name}.csv"
    descriptor = build_datapackage(
        spec,
        portal,
        table,
        schema,
        report_summary=_summary(report),
        created=created,
        flow_run_id=flow_run_id,
        resource_filename=csv_name,
    )
    dp_path = write_datapackage(descriptor, workdir / "datapackage.json")
    report_path = workdir / "validation-report.json"
    report.write_json(report_path)

    meta = package_dict(spec, portal)
    if existing is None or existing.get("state") != "active":
        if existing is not None:  # a deleted dataset of the same name: bring it back
            meta["state"] = "active"
            package = client.call("package_patch", {"id": existing["id"], **meta})
        else:
            package = client.call("package_create", meta)
        action = "created"
    else:
        package = client.call("package_patch", {"id": existing["id"], **meta})
        action = "updated"

    data_res = _put_resource(
        client,
        package,
        "data",
        table.path,
        csv_name,
        {
            "name": f"{spec.title.vi} (CSV)",
            "description": "Dữ liệu đã kiểm tra, mã hóa UTF-8. Cấu trúc và kiểu dữ liệu: xem "
            "datapackage.json.",
            "format": "CSV",
            "mimetype": "text/csv",
            "hash": f"sha256:{table.sha256}",
        },
    )
    dp_res = _put_resource(
        client,
        package,
        "datapackage",
        dp_path,
        "datapackage.json",
        {
            "name": "datapackage.json",
            "description": "Mô tả gói dữ liệu (Frictionless Data Package): cấu trúc, mã băm, "
            "nguồn gốc và kết quả kiểm tra.",
            "format": "JSON",
            "mimetype": "application/json",
        },
    )
    rep_res = _put_resource(
        client,
        package,
        "report",
        report_path,
        "validation-report.json",
        {
            "name": "Báo cáo kiểm tra chất lượng dữ liệu",
            "description": "Kết quả kiểm tra dữ liệu theo lược đồ và quy tắc nghiệp vụ.",
            "format": "JSON",
            "mimetype": "application/json",
        },
    )
    rows = load_table(client, data_res["id"], table.path, schema)
    return PublishResult(
        spec.name,
        url,
        action,
        rows,
        {"data": data_res["id"], "datapackage": dp_res["id"], "report": rep_res["id"]},
        data_res["id"],
    )


def _summary(report: Report) -> dict[str, Any]:
    d = report.to_dict()
    return {k: d[k] for k in ("rows", "counts", "ok") if k in d} | {
        "error_count": report.error_count
    }
