"""`dulieumo_datastore_load` against the real portal: a COPY load gives the same DataStore
table as the row-by-row upsert (values, types, data dictionary, full-text column and
search) for every sample dataset, and a table built from the previous one plus changed
rows equals a full load of the new file."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from dulieumo.errors import PortalError
from portal.services import pg_connect
from portal.settings import PortalSettings
from publish.bulkload import load_release_table
from publish.client import PortalClient
from publish.datastore import load_table
from publish.rowdiff import diff_rows
from pull import pull_source
from tests.support.catalog import copy_catalog

ORG = "so-y-te"
DATASET = "kiem-tra-nap-du-lieu"


@pytest.fixture(scope="module")
def world(portal, agency, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every sample dataset pulled once; a dataset of Sở Y tế to hold release files."""
    portal.reset()
    root = copy_catalog(tmp_path_factory.mktemp("catalog"))
    work = tmp_path_factory.mktemp("work")
    catalog = load_catalog(root)
    tables = {}
    for name in catalog.datasets:
        spec = catalog.get(name)
        pulled = pull_source(spec, root=root, workdir=work / spec.name)
        schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
        tables[spec.name] = (pulled.path, schema)
    client = PortalClient(PortalTarget(portal.url, portal.token("publisher")))
    pkg = client.call("package_create", {"name": DATASET, "owner_org": ORG, "title": "Kiểm tra"})
    return {"client": client, "tables": tables, "package": pkg, "work": work}


def release_file(client: PortalClient, package_id: str, path: Path, name: str) -> str:
    """A release data resource holding `path` (as the publisher uploads it)."""
    return str(
        client.upload(
            "resource_create",
            {
                "package_id": package_id,
                "name": name,
                "format": "CSV",
                "dulieumo_role": "release-data",
            },
            path,
            f"{name}.csv",
        )["id"]
    )


def table_content(resource_id: str) -> dict[str, Any]:
    """Rows (in _id order, every column as PostgreSQL prints it), column types, data
    dictionary comments, the full-text values and the indexes' definitions."""
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT * FROM "{resource_id}" ORDER BY _id')
        names = [d.name for d in cur.description]
        cur.execute(
            f"SELECT _id, (to_jsonb(t) - '_id' - '_full_text')::text, _full_text::text "
            f'FROM "{resource_id}" t ORDER BY _id'
        )
        rows = cur.fetchall()
        cur.execute(
            """SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                      col_description(a.attrelid, a.attnum)
               FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0
               AND NOT a.attisdropped ORDER BY a.attnum""",
            (f'"{resource_id}"',),
        )
        columns = cur.fetchall()
        cur.execute(
            "SELECT regexp_replace(indexdef, 'INDEX \\S+ ON \\S+', 'INDEX ON') FROM pg_indexes "
            "WHERE tablename = %s ORDER BY 1",
            (resource_id,),
        )
        indexes = [r[0] for r in cur.fetchall()]
    return {"names": names, "rows": rows, "columns": columns, "indexes": indexes}


def words_of(path: Path, limit: int = 4) -> list[str]:
    """A few words of the file's text to search for (with Vietnamese diacritics)."""
    found: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            for value in row.values():
                for word in (value or "").split():
                    if len(word) > 3 and word.isalpha() and word not in found:
                        found.append(word)
            if len(found) >= limit:
                break
    return found[:limit]


def search_ids(client: PortalClient, resource_id: str, q: str) -> list[int]:
    result = client.call(
        "datastore_search", {"resource_id": resource_id, "q": q, "limit": 32000, "fields": "_id"}
    )
    return sorted(r["_id"] for r in result["records"])


@pytest.mark.parametrize(
    "dataset",
    [
        "co-so-kham-chua-benh",
        "co-so-giao-duc",
        "co-so-luu-tru",
        "dien-tich-dat-theo-muc-dich",
        "thong-ke-can-bo-cong-chuc",
        "chi-so-gia-xay-dung",
        "doanh-nghiep-thanh-lap-moi",
        "du-an-dau-tu-cong",
        "quan-trac-moi-truong-tu-dong",
        "ho-so-thu-tuc-hanh-chinh",
    ],
)
def test_copy_load_equals_upsert_load(world, dataset):
    client, pkg = world["client"], world["package"]
    path, schema = world["tables"][dataset]
    upserted = release_file(client, pkg["id"], path, f"{dataset}-upsert")
    copied = release_file(client, pkg["id"], path, f"{dataset}-copy")
    rows = load_table(client, upserted, path, schema)
    copy_rows, how = load_release_table(client, copied, path, schema)
    assert how == "copy" and copy_rows == rows > 0
    a, b = table_content(upserted), table_content(copied)
    assert b["names"] == a["names"]
    assert [c[1:] for c in b["columns"]] == [c[1:] for c in a["columns"]]  # types, dictionary
    assert b["rows"] == a["rows"]  # _id, values as JSON and _full_text, row by row
    assert set(a["indexes"]) <= set(b["indexes"])  # CKAN's indexes, plus filterable fields
    fields_a = client.call("datastore_search", {"resource_id": upserted, "limit": 0})["fields"]
    fields_b = client.call("datastore_search", {"resource_id": copied, "limit": 0})["fields"]
    assert fields_b == fields_a
    for word in words_of(path):
        assert search_ids(client, copied, word) == search_ids(client, upserted, word), word


def _changed_copy(path: Path, dest: Path, key: list[str], schema: dict[str, Any]) -> Path:
    """The file with its second row's last text value changed, its third row removed and
    a copy of its first row added under a new key."""
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    header = list(rows[0])
    text = [
        f["name"]
        for f in schema["fields"]
        if f.get("type", "string") == "string" and f["name"] not in key
    ]
    rows[1][text[-1]] = (rows[1][text[-1]] or "") + " đã sửa"
    del rows[2]
    extra = dict(rows[0])
    for k in key:
        extra[k] = extra[k] + "9" if not extra[k].isdigit() else str(int(extra[k]) + 900000)
    rows.append(extra)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    dest.write_text(buf.getvalue(), encoding="utf-8")
    return dest


@pytest.mark.parametrize("dataset", ["co-so-luu-tru", "quan-trac-moi-truong-tu-dong"])
def test_table_built_from_the_previous_one_equals_a_full_load(world, dataset):
    client, pkg = world["client"], world["package"]
    path, schema = world["tables"][dataset]
    key = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
    new = _changed_copy(path, world["work"] / f"{dataset}-new.csv", key, schema)
    previous = release_file(client, pkg["id"], path, f"{dataset}-v1")
    load_release_table(client, previous, path, schema)
    diff = diff_rows(path, new, key)
    assert (diff.added, diff.removed, diff.changed) == (1, 1, 1)
    built = release_file(client, pkg["id"], new, f"{dataset}-v2")
    full = release_file(client, pkg["id"], new, f"{dataset}-v2-full")
    rows, how = load_release_table(client, built, new, schema, base=previous, delta=diff.delta)
    assert how == "delta"
    full_rows, _ = load_release_table(client, full, new, schema)
    assert rows == full_rows == diff.added + diff.changed + diff.unchanged
    a, b = table_content(full), table_content(built)
    assert [c[1:] for c in b["columns"]] == [c[1:] for c in a["columns"]]
    # values and full-text values (the _ids of a built table follow the previous release's)
    assert sorted(r[1:] for r in b["rows"]) == sorted(r[1:] for r in a["rows"])
    assert sorted(b["indexes"]) == sorted(a["indexes"])
    # a changed row keeps its _id; the previous release's table is untouched
    before = {r[1]: r[0] for r in table_content(previous)["rows"]}
    assert len(before) == diff.removed + diff.changed + diff.unchanged
    kept = [r for r in b["rows"] if r[1] in before]
    assert len(kept) == diff.unchanged and all(before[r[1]] == r[0] for r in kept)


def _work_tables() -> list[str]:
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'dulieumo_load'")
        return [r[0] for r in cur.fetchall()]


def _index_names(resource_id: str) -> set[str]:
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (resource_id,))
        return {r[0] for r in cur.fetchall()}


def _ckan_index_name(resource_id: str, columns: list[str]) -> str:
    """CKAN's name for an index (datastore backend: sha1 of the id and the quoted columns)."""
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    return hashlib.sha1((resource_id + quoted).encode()).hexdigest()


def test_indexes_are_named_as_ckan_names_them_and_no_work_table_is_left(world):
    """The indexes built by two sessions carry CKAN's names (so CKAN's own create_indexes
    finds them and builds nothing twice); the load's work tables are dropped."""
    client, pkg = world["client"], world["package"]
    path, schema = world["tables"]["co-so-kham-chua-benh"]
    schema = json.loads(json.dumps(schema))
    key = schema["primaryKey"] if isinstance(schema["primaryKey"], list) else [schema["primaryKey"]]
    other = next(f["name"] for f in schema["fields"] if f["name"] not in key)
    next(f for f in schema["fields"] if f["name"] == other)["filterable"] = True
    rid = release_file(client, pkg["id"], path, "ten-chi-muc")
    rows, how = load_release_table(client, rid, path, schema)
    assert how == "copy" and rows > 0
    assert _index_names(rid) == {
        f"{rid}_pkey",
        _ckan_index_name(rid, ["_full_text"]),
        _ckan_index_name(rid, key),
        _ckan_index_name(rid, [other]),
    }
    assert _work_tables() == []
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            (f'"{rid}"',),
        )
        assert cur.fetchall() == [(f"{rid}_pkey", "PRIMARY KEY (_id)")]  # CKAN's, kept
    # _id follows the file's order whichever session inserted the row
    ids = [r[0] for r in table_content(rid)["rows"]]
    assert ids == list(range(1, rows + 1))


def test_a_failed_load_leaves_neither_table_nor_work_tables(world):
    client, pkg = world["client"], world["package"]
    path, schema = world["tables"]["co-so-kham-chua-benh"]
    schema = json.loads(json.dumps(schema))
    text_field = next(
        f
        for f in schema["fields"]
        if f.get("type", "string") == "string"
        and f["name"]
        not in (
            schema["primaryKey"]
            if isinstance(schema["primaryKey"], list)
            else [schema["primaryKey"]]
        )
    )
    text_field["type"] = "integer"  # the file's text cannot be cast: PostgreSQL refuses
    rid = release_file(client, pkg["id"], path, "nap-hong")
    with pytest.raises(PortalError) as failed:
        load_release_table(client, rid, path, schema)
    assert "could not be loaded" in str(failed.value)
    assert _work_tables() == []
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_tables WHERE tablename = %s", (rid,))
        assert cur.fetchone()[0] == 0


def test_work_tables_of_a_killed_load_are_swept_those_of_a_running_one_kept(world):
    """A portal worker killed mid-load leaves its work tables; the next load drops them,
    unless their load still runs (its session holds the load's advisory lock)."""
    client, pkg = world["client"], world["package"]
    path, schema = world["tables"]["co-so-giao-duc"]
    settings = PortalSettings()
    dead, alive = "0" * 32, "1" * 32
    running = pg_connect(settings, settings.datastore_db)
    try:
        running.autocommit = True
        with running.cursor() as cur:
            cur.execute("CREATE SCHEMA IF NOT EXISTS dulieumo_load")
            for tag in (dead, alive):
                cur.execute(f"CREATE UNLOGGED TABLE dulieumo_load.src_{tag} (a text)")
                cur.execute(f"CREATE UNLOGGED TABLE dulieumo_load.drop_{tag} (a text)")
            cur.execute("SELECT pg_advisory_lock(hashtext(%s))", (alive,))
        assert len(_work_tables()) == 4
        rid = release_file(client, pkg["id"], path, "don-dep")
        assert load_release_table(client, rid, path, schema)[1] == "copy"
        assert sorted(_work_tables()) == [f"drop_{alive}", f"src_{alive}"]
    finally:
        running.close()  # the running load's session ends: its lock with it
    rid = release_file(client, pkg["id"], path, "don-dep-2")
    assert load_release_table(client, rid, path, schema)[1] == "copy"
    assert _work_tables() == []


def test_a_large_file_is_copied_in_parts_each_row_in_its_place(world, tmp_path):
    """A file over the split size is cut into parts COPYed by two sessions at once: every
    row arrives once, `_id` is its line's number, quoted cells with commas, quotes and line
    breaks survive, and the last part's rows are found by full-text search."""
    client, pkg = world["client"], world["package"]
    path = tmp_path / "lon.csv"
    notes = ["bình thường", 'có dấu phẩy, và "ngoặc"', "hai\ndòng", ""]
    rows = [
        [f"M{i:06d}", notes[i % 4] + (" kếtthúc" if i == 119_999 else ""), str(i)]
        for i in range(120_000)
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["ma", "ghi_chu", "so"])
        writer.writerows([[r[0], r[1] + " " + "x" * 40, r[2]] for r in rows])
    assert path.stat().st_size > 8 << 20  # load_parts.MIN_SPLIT_BYTES: more than one part
    schema = {
        "fields": [
            {"name": "ma", "type": "string"},
            {"name": "ghi_chu", "type": "string"},
            {"name": "so", "type": "integer"},
        ],
        "primaryKey": ["ma"],
    }
    rid = release_file(client, pkg["id"], path, "tep-lon")
    count, how = load_release_table(client, rid, path, schema)
    assert (count, how) == (120_000, "copy")
    settings = PortalSettings()
    with pg_connect(settings, settings.datastore_db) as conn, conn.cursor() as cur:
        cur.execute(f'SELECT _id, ma, ghi_chu, so FROM "{rid}" ORDER BY _id')
        got = cur.fetchall()
    assert [(g[0], g[1], g[3]) for g in got] == [(i + 1, r[0], i) for i, r in enumerate(rows)]
    assert all(g[2] == r[1] + " " + "x" * 40 for g, r in zip(got, rows, strict=True))
    assert search_ids(client, rid, "kếtthúc") == [120_000]
    assert _work_tables() == []
