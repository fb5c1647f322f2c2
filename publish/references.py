"""The code lists a release's foreign keys point to, as resources of its datapackage.json.

A foreign key ``{"reference": {"resource": "don_vi_hanh_chinh", ...}}`` names a code list of
the catalogue (``codelists/<name>.csv``, typed by ``schemas/codelists/<name>.json``). The
package carries each one inline (``data``: header row, then the rows), and the code lists
those point to in turn, so ``frictionless validate`` checks every key without reaching
anything outside the package. A reference that is not a code list file is left out.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any


def _foreign_resources(schema: dict[str, Any]) -> list[str]:
    out = []
    for fk in schema.get("foreignKeys") or []:
        name = (fk.get("reference") or {}).get("resource")
        if name and name not in out:
            out.append(str(name))
    return out


def codelist_resources(schema: dict[str, Any], root: Path) -> list[dict[str, Any]]:
    """Inline tabular resources for the code lists `schema` references, transitively."""
    out: dict[str, dict[str, Any]] = {}
    pending = _foreign_resources(schema)
    while pending:
        name = pending.pop(0)
        path = root / "codelists" / f"{name}.csv"
        if name in out or not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = [list(row) for row in csv.reader(fh)]
        resource: dict[str, Any] = {
            "name": name,
            "profile": "tabular-data-resource",
            "format": "inline",
            "data": rows,
        }
        schema_path = root / "schemas" / "codelists" / f"{name}.json"
        if schema_path.is_file():
            cl_schema = json.loads(schema_path.read_text(encoding="utf-8"))
            resource["title"] = cl_schema.pop("title", name)
            if "description" in cl_schema:
                resource["description"] = cl_schema.pop("description")
            resource["schema"] = cl_schema
            pending += _foreign_resources(cl_schema)
        out[name] = resource
    return list(out.values())
