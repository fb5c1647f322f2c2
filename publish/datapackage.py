"""The Frictionless `datapackage.json` that describes a published release.

Self-contained and valid from the portal's URL (``frictionless validate <url>``): the data's
``path`` is the absolute download URL of the release's CSV on the portal, the code lists its
foreign keys point to are resources of the package (publish.references), and provenance
names the agency's source without local paths (publish.provenance). The data stays the
first resource (rollback reads its schema there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.paths import catalog_root

from .provenance import public_url, source_name
from .references import codelist_resources

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
    data_url: str,
    root: Path | None = None,
) -> dict[str, Any]:
    """The descriptor of a release whose CSV downloads from `data_url` (absolute)."""
    lic_name, lic_path = LICENSES.get(spec.license, (spec.license, ""))
    source = {"title": source_name(spec, portal)}
    url = public_url(table.source_uri)
    if url:
        source["path"] = url
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
        "sources": [source],
        "resources": [
            {
                "name": spec.name.replace("-", "_"),
                "path": data_url,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": table.size,
                "hash": f"sha256:{table.sha256}",
                "schema": schema,
            },
            *codelist_resources(schema, root or catalog_root()),
        ],
        "x_dulieumo": {
            "province": {"code": portal.province.code, "name": portal.province.name},
            "provenance": {
                "source": source["title"],
                "source_url": url,
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
