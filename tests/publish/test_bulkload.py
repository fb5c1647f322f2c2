"""What the publisher asks the portal's bulk load for, the upsert fallback on a portal
without it, and "unchanged" from the inputs' hash before the file is read (in-memory
portal; tests/portal/ckanext/test_datastore_load.py runs the COPY path on the real one)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dulieumo.catalog import load_catalog
from flows.inputs import input_fingerprint
from publish.bulkload import filterable, load_release_table, load_request, pg_format
from publish.releases import Releaser
from pull import fetch_source
from tests.publish.test_release_logic import DATASET, SCHEMA, portal_for, release
from tests.support.catalog import copy_catalog

BASE_SCHEMA = {
    "fields": [
        {"name": "ma", "type": "string", "title": "Mã"},
        {"name": "ngay", "type": "date", "format": "%d/%m/%Y", "filterable": True},
        {"name": "mo_cua", "type": "boolean", "trueValues": ["có"], "falseValues": ["không"]},
        {"name": "so", "type": "integer"},
    ],
    "primaryKey": "ma",
    "missingValues": ["", "-"],
}


def test_the_load_request_carries_types_dictionary_key_indexes_and_parsing():
    req = load_request(BASE_SCHEMA, "res-1")
    assert req is not None
    assert [(f["id"], f["type"]) for f in req["fields"]] == [
        ("ma", "text"),
        ("ngay", "date"),
        ("mo_cua", "bool"),
        ("so", "int8"),
    ]
    assert req["fields"][0]["info"] == {"label": "Mã", "type_override": "text"}
    assert req["primary_key"] == ["ma"] and req["indexes"] == ["ngay"]
    assert req["missing_values"] == ["", "-"]
    assert req["parse"] == {
        "ngay": {"format": "DD/MM/YYYY"},
        "mo_cua": {"true_values": ["có"], "false_values": ["không"]},
    }


def test_strptime_formats_become_postgresql_patterns_or_none():
    assert pg_format("%Y-%m-%dT%H:%M:%S") == "YYYY-MM-DDTHH24:MI:SS"
    assert pg_format("%d.%m.%y") == "DD.MM.YY"
    assert pg_format("%d %B %Y") is None  # month names: only the upsert path reads them
    odd = dict(BASE_SCHEMA, fields=[{"name": "t", "type": "date", "format": "%d %B %Y"}])
    assert load_request(odd, "res-1") is None


def test_the_primary_key_is_not_indexed_twice():
    schema = dict(BASE_SCHEMA, fields=[dict(f, filterable=True) for f in BASE_SCHEMA["fields"]])
    assert filterable(schema) == ["ngay", "mo_cua", "so"]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "catalog", only=(DATASET,))


def test_a_portal_without_the_load_action_gets_rows_by_upsert(root, tmp_path):
    portal = portal_for(root)
    result = release(root, portal)
    table = result.resources["release-data"]
    rows = portal.tables[table]
    assert len(rows) == result.rows > 0
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    csv_path = next(root.parent.glob("run-0/*.csv"))
    again, how = load_release_table(portal.client(), table, csv_path, schema)
    assert how == "upsert" and again == result.rows
    assert "dulieumo_datastore_load" not in portal.calls
    assert portal.calls.count("help_show") == 2  # asked, each time, before loading


def _inputs(root: Path) -> str | None:
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    fetched = fetch_source(spec, root=root, workdir=root.parent / "fetch")
    return input_fingerprint(spec, root, fetched.raw_sha256, catalog)


def test_inputs_hash_changes_with_source_schema_spec_and_code_lists(root):
    first = _inputs(root)
    assert first is not None and first == _inputs(root)
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    seen = {first}
    for path in (
        root / spec.source.path,  # type: ignore[union-attr]
        root / SCHEMA,
        root / spec.spec_path,
        next((root / "codelists").glob("*.csv")),
    ):
        path.write_bytes(path.read_bytes() + b"\n")
        changed = _inputs(root)
        assert changed not in seen
        seen.add(changed)


def test_same_inputs_say_unchanged_without_a_release(root):
    portal = portal_for(root)
    inputs = _inputs(root)
    assert inputs is not None
    first = release(root, portal, inputs=inputs)
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    releaser = Releaser(portal.client(), spec, catalog.portal, workdir=root.parent)
    writes = len(portal.writes())
    result = releaser.unchanged_inputs(inputs)
    assert result is not None and result.action == "unchanged"
    assert result.version == first.version and result.rows == first.rows
    assert set(portal.writes()[writes:]) <= {"dulieumo_datastore_alias"}  # idempotent repair
    assert releaser.unchanged_inputs("another-hash") is None
