"""The Frictionless `datapackage.json` that describes a published release."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec
    from dulieumo.tables import PulledTable

LICENSES = {
    "cc-by": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "cc-zero": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "odc-by": ("ODC-By-1.0", "https://opendatacommons.org/licenses/by/1-0/"),
    "odc-odbl": ("ODbL-1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}


def build_datapackage(
    spec: DatasetSpec,
    portal: PortalSpec,
    table: PulledTable,
    schema: dict[str, Any],
    *,
    report_summary: dict[str, Any],
    created: str,
    flow_run_id: str | None,
    resource_filename: str,
) -> dict[str, Any]:
    lic_name, lic_path = LICENSES.get(spec.license, (spec.license, ""))
    return {
        "name": spec.name,
        "title": spec.title.vi,
        "description": spec.description.vi,
        "created": created,
        "licenses": [{"name": lic_name, "path": lic_path}] if lic_path else [{"name": lic_name}],
        "contributors": [
            {
                "title": spec.maintainer.name,
                "email": str(spec.maintainer.email),
                "role": "maintainer",
                "organization": spec.organization,
            }
        ],
        "keywords": list(spec.tags),
        "sources": [{"title": f"Nguồn dữ liệu của {spec.organization}", "path": table.source_uri}],
        "resources": [
            {
                "name": spec.name.replace("-", "_"),
                "path": resource_filename,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": table.size,
                "hash": f"sha256:{table.sha256}",
                "schema": schema,
            }
        ],
        "x_dulieumo": {
            "province": {"code": portal.province.code, "name": portal.province.name},
            "provenance": {
                "source": table.source_uri,
                "source_encoding": table.encoding,
                "source_sha256": table.raw_sha256,
                "fetched_at": table.fetched_at,
                "flow_run_id": flow_run_id,
            },
            "validation": report_summary,
        },
    }


def write_datapackage(descriptor: dict[str, Any], path: Path) -> Path:
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
