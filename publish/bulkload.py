"""A release's DataStore table loaded inside the portal (`dulieumo_datastore_load`).

The portal copies the uploaded release CSV into the table with PostgreSQL's COPY, computes
the full-text column in bulk and builds the indexes after the load (the primary key and the
fields the Table Schema marks ``"filterable": true``). When only a few rows changed since
the previous release and the schema did not, the portal builds the new table from the
previous one plus the changed rows (`Delta`). A portal whose extension has no such action
gets the rows through ``datastore_upsert`` as before (publish.datastore.load_table).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ckanapi import NotFound

from dulieumo.errors import PortalError

from .client import PortalClient
from .datastore import datastore_fields, load_table
from .rowdelta import Delta
from .versioning import primary_key

ACTION = "dulieumo_datastore_load"
#: a whole release is loaded in one request: 1,000,000 rows take about a minute
LOAD_TIMEOUT_S = 900
#: strptime directives → PostgreSQL to_date/to_timestamp patterns
_PG_CODES = {
    "%Y": "YYYY",
    "%y": "YY",
    "%m": "MM",
    "%d": "DD",
    "%H": "HH24",
    "%M": "MI",
    "%S": "SS",
    "%f": "US",
}
_LITERALS = re.compile(r"^[-/ :.,T]$")


def pg_format(fmt: str) -> str | None:
    """`%d/%m/%Y` → `DD/MM/YYYY`; None for a format PostgreSQL's patterns cannot express."""
    out, i = [], 0
    while i < len(fmt):
        two = fmt[i : i + 2]
        if two in _PG_CODES:
            out.append(_PG_CODES[two])
            i += 2
        elif _LITERALS.match(fmt[i]):
            out.append(fmt[i])
            i += 1
        else:
            return None
    return "".join(out)


def _parse_rules(schema: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """Per-field parsing the portal must apply; None when one cannot be expressed."""
    rules: dict[str, dict[str, Any]] = {}
    for f in schema["fields"]:
        ftype, fmt = f.get("type", "string"), f.get("format", "default")
        rule: dict[str, Any] = {}
        if ftype == "boolean":
            rule["true_values"] = f.get("trueValues", ["true", "True", "TRUE", "1"])
            rule["false_values"] = f.get("falseValues", ["false", "False", "FALSE", "0"])
        if ftype in ("date", "datetime") and fmt not in ("default", "any") and "%" in fmt:
            pattern = pg_format(fmt)
            if pattern is None:
                return None
            rule["format"] = pattern
        if rule:
            rules[f["name"]] = rule
    return rules


def filterable(schema: dict[str, Any]) -> list[str]:
    """Fields the Table Schema marks `"filterable": true` (indexed for filters and sorts)."""
    pk = primary_key(schema)
    return [f["name"] for f in schema["fields"] if f.get("filterable") and [f["name"]] != pk]


def load_request(schema: dict[str, Any], resource_id: str) -> dict[str, Any] | None:
    """The action's parameters for a whole-file load; None when only the upsert can do it."""
    rules = _parse_rules(schema)
    if rules is None:
        return None
    return {
        "resource_id": resource_id,
        "fields": datastore_fields(schema),
        "primary_key": primary_key(schema),
        "indexes": filterable(schema),
        "missing_values": list(schema.get("missingValues", [""])),
        "parse": rules,
    }


def delta_csv(delta: Delta, columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in delta.rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()


def portal_loads(client: PortalClient) -> bool:
    """Whether the portal's extension has the bulk load action."""
    try:
        client.call("help_show", {"name": ACTION})
    except NotFound:
        return False
    except PortalError:
        return False
    return True


def load_release_table(
    client: PortalClient,
    resource_id: str,
    table: Path,
    schema: dict[str, Any],
    *,
    base: str | None = None,
    delta: Delta | None = None,
) -> tuple[int, str]:
    """Fill the release's DataStore table: (rows, how: "delta" | "copy" | "upsert")."""
    request = load_request(schema, resource_id)
    if request is None or not portal_loads(client):
        return load_table(client, resource_id, table, schema), "upsert"
    if base is not None and delta is not None and delta.key == request["primary_key"]:
        columns = [f["name"] for f in schema["fields"]]
        built = dict(
            request,
            base_resource_id=base,
            drop_keys=delta.drop,
            rows_csv=delta_csv(delta, columns),
        )
        try:
            result = client.call(ACTION, built, timeout=LOAD_TIMEOUT_S)
            return int(result["rows"]), str(result["mode"])
        except PortalError:
            pass  # e.g. the previous table is gone (retention): load the whole file
    result = client.call(ACTION, request, timeout=LOAD_TIMEOUT_S)
    return int(result["rows"]), str(result["mode"])
