"""Publish a period's report to the portal as a dataset of its own.

One dataset (``bao-cao-chi-so-du-lieu-mo``, organisation Sở Thông tin và Truyền thông) with
two resources per period (HTML and JSON), identified by the resource fields
``dulieumo_report_period`` and ``dulieumo_report_format``: running the same period again
replaces those two files, it never adds duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dulieumo.errors import PortalError
from publish.client import PortalClient

REPORT_DATASET = "bao-cao-chi-so-du-lieu-mo"
REPORT_ORG = "so-thong-tin-truyen-thong"
PERIOD_KEY = "dulieumo_report_period"
FORMAT_KEY = "dulieumo_report_format"


def _package(province: str, org: str) -> dict[str, Any]:
    return {
        "name": REPORT_DATASET,
        "title": f"Báo cáo chỉ số dữ liệu mở tỉnh {province}",
        "notes": (
            "Các chỉ số về dữ liệu mở của tỉnh theo từng kỳ (tháng, quý, năm): tỷ lệ cơ quan "
            "công bố dữ liệu mở, số bộ dữ liệu bình quân mỗi cơ quan, tỷ lệ bộ dữ liệu cập nhật "
            "đúng hạn, tỷ lệ lần cập nhật đạt kiểm tra chất lượng. Mỗi kỳ có một báo cáo HTML "
            "(có biểu đồ) và một tệp JSON máy đọc được."
        ),
        "owner_org": org,
        "license_id": "cc-by",
        "private": False,
        "tags": [{"name": "chỉ số"}, {"name": "báo cáo"}, {"name": "dữ liệu mở"}],
        # the portal's dataset schema: top-level fields, not extras
        "language": "vi",
        "frequency": "monthly",
        "spatial_text": f"Tỉnh {province}",
    }


def publish_report(
    client: PortalClient,
    period_key: str,
    period_label: str,
    province: str,
    html_path: Path,
    json_path: Path,
    org: str = REPORT_ORG,
) -> dict[str, Any]:
    """Create or update the report dataset and the period's two resources."""
    if client.exists("organization_show", org) is None:
        raise PortalError(
            f"The organisation '{org}' that publishes the indicators report does not exist on "
            f"the portal at {client.url}.",
            hint="Create it (locally: `dulieumo portal up` creates every organisation of "
            "datasets/portal.yaml), or pass --organization.",
        )
    wanted = _package(province, org)
    package = client.exists("package_show", REPORT_DATASET)
    if package is None or package.get("state") != "active":
        if package is None:
            package = client.call("package_create", wanted)
        else:  # deleted earlier: bring it back
            package = client.call(
                "package_patch", {"id": package["id"], **wanted, "state": "active"}
            )
    resources: dict[str, str] = {}
    for fmt, path, mimetype in (
        ("HTML", html_path, "text/html"),
        ("JSON", json_path, "application/json"),
    ):
        fields = {
            "package_id": package["id"],
            "name": f"Báo cáo chỉ số {period_label} ({fmt})",
            "description": f"Chỉ số dữ liệu mở {period_label}"
            + (", có biểu đồ." if fmt == "HTML" else ", dạng máy đọc được."),
            "format": fmt,
            "mimetype": mimetype,
            PERIOD_KEY: period_key,
            FORMAT_KEY: fmt.lower(),
        }
        existing = next(
            (
                r
                for r in package.get("resources", [])
                if r.get(PERIOD_KEY) == period_key and r.get(FORMAT_KEY) == fmt.lower()
            ),
            None,
        )
        if existing:
            res = client.upload(
                "resource_update", {"id": existing["id"], **fields}, path, path.name
            )
        else:
            res = client.upload("resource_create", fields, path, path.name)
        resources[fmt.lower()] = res["id"]
    return {
        "dataset": REPORT_DATASET,
        "url": f"{client.url}/dataset/{REPORT_DATASET}",
        "resources": resources,
    }
