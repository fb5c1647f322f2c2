"""Typed rows in the CKAN DataStore, with the data dictionary taken from the Table Schema.

The DataStore table gets the schema's types (not all text), its primary key, and each field's
Vietnamese title and description as the data dictionary (``info.label`` / ``info.notes``).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ckanapi import NotFound

from .client import PortalClient

CHUNK_ROWS = 5000

#: Table Schema type → PostgreSQL type as the DataStore understands it
PG_TYPES = {
    "string": "text",
    "integer": "int8",
    "number": "numeric",
    "boolean": "bool",
    "date": "date",
    "datetime": "timestamptz",
    "time": "time",
    "year": "int4",
    "object": "json",
    "array": "json",
}


def datastore_fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """DataStore field definitions with the data dictionary (label, notes) filled in."""
    fields = []
    for f in schema["fields"]:
        info: dict[str, str] = {}
        if f.get("title"):
            info["label"] = f["title"]
        if f.get("description"):
            info["notes"] = f["description"]
        pg_type = PG_TYPES.get(f.get("type", "string"), "text")
        info["type_override"] = pg_type  # the schema's type, kept by any later re-load
        fields.append({"id": f["name"], "type": pg_type, "info": info})
    return fields


def _converter(field: dict[str, Any]) -> Callable[[str], Any]:
    ftype = field.get("type", "string")
    fmt = field.get("format", "default")
    if ftype == "boolean":
        trues = set(field.get("trueValues", ["true", "True", "TRUE", "1"]))
        falses = set(field.get("falseValues", ["false", "False", "FALSE", "0"]))

        def to_bool(v: str) -> Any:
            if v in trues:
                return True
            if v in falses:
                return False
            return v

        return to_bool
    if ftype == "date" and fmt not in ("default", "any") and "%" in fmt:
        return lambda v: dt.datetime.strptime(v, fmt).date().isoformat()
    if ftype == "datetime" and fmt not in ("default", "any") and "%" in fmt:
        return lambda v: dt.datetime.strptime(v, fmt).isoformat()
    if ftype in ("integer", "year"):
        return lambda v: int(v)
    return lambda v: v  # numbers travel as text into numeric columns: no float rounding


def iter_records(table: Path, schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Rows of the validated CSV, typed where JSON needs it, missing values as null."""
    missing = set(schema.get("missingValues", [""]))
    fields = {f["name"]: f for f in schema["fields"]}
    convert = {name: _converter(f) for name, f in fields.items()}
    with table.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            yield {
                k: (None if v is None or v in missing else convert[k](v))
                for k, v in row.items()
                if k in fields
            }


def _chunks(records: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def load_table(client: PortalClient, resource_id: str, table: Path, schema: dict[str, Any]) -> int:
    """Replace the resource's DataStore table with the typed rows; returns the row count."""
    try:
        client.call("datastore_delete", {"resource_id": resource_id, "force": True})
    except NotFound:
        pass  # no table yet: the first publication
    pk = schema.get("primaryKey")
    create: dict[str, Any] = {
        "resource_id": resource_id,
        "force": True,
        "fields": datastore_fields(schema),
        "records": [],
    }
    if pk:
        create["primary_key"] = pk if isinstance(pk, list) else [pk]
    client.call("datastore_create", create)
    total = 0
    for chunk in _chunks(iter_records(table, schema), CHUNK_ROWS):
        client.call(
            "datastore_upsert",
            {"resource_id": resource_id, "force": True, "method": "insert", "records": chunk},
        )
        total += len(chunk)
    return total
