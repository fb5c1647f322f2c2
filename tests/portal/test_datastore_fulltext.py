"""DataStore full text without diacritics (portal/fulltext.py), against the running portal:
`q="benh vien"` finds the rows `q="bệnh viện"` finds, for new rows and for tables made before
the configuration (recomputed by `portal up`, once)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from ckanapi import NotFound, RemoteCKAN

ORG = "kttd-fts-so-y-te"
DATASET = "kttd-fts-co-so"

ROWS = [
    {"ma": "A1", "ten": "Bệnh viện Đa khoa tỉnh Quảng Ninh", "ghi_chu": "tuyến tỉnh"},
    {"ma": "A2", "ten": "Bệnh viện Sản Nhi", "ghi_chu": "chuyên khoa"},
    {"ma": "A3", "ten": "Trạm y tế xã Đồng Rui", "ghi_chu": "tuyến xã"},
    {"ma": "A4", "ten": "Phòng khám đa khoa Hạ Long", "ghi_chu": "tư nhân"},
]


@pytest.fixture(scope="module")
def table(portal) -> Iterator[str]:
    admin = portal.ckan("sysadmin")
    if not [o for o in admin.action.organization_list() if o == ORG]:
        admin.action.organization_create(name=ORG, title="Sở Y tế (thử tìm kiếm)")
    try:
        admin.action.dataset_purge(id=DATASET)
    except NotFound:  # absent on a fresh portal
        pass
    pkg = admin.action.package_create(name=DATASET, title="Cơ sở y tế (thử)", owner_org=ORG)
    res = admin.action.resource_create(package_id=pkg["id"], name="bảng", url="http://x/y.csv")
    admin.action.datastore_create(
        resource_id=res["id"],
        force=True,
        fields=[
            {"id": "ma", "type": "text"},
            {"id": "ten", "type": "text"},
            {"id": "ghi_chu", "type": "text"},
        ],
        records=ROWS,
        primary_key=["ma"],
    )
    yield res["id"]
    admin.action.dataset_purge(id=DATASET)


def _codes(ckan: RemoteCKAN, rid: str, q: str) -> set[str]:
    found = ckan.action.datastore_search(resource_id=rid, q=q, limit=100)
    return {r["ma"] for r in found["records"]}


@pytest.mark.parametrize(
    ("plain", "accented", "expected"),
    [
        ("benh vien", "bệnh viện", {"A1", "A2"}),
        ("BENH VIEN", "Bệnh Viện", {"A1", "A2"}),
        ("da khoa", "đa khoa", {"A1", "A4"}),
        ("dong rui", "Đồng Rui", {"A3"}),
    ],
)
def test_search_without_diacritics_finds_the_same_rows(portal, table, plain, accented, expected):
    anon = portal.ckan()
    assert _codes(anon, table, accented) == expected
    assert _codes(anon, table, plain) == expected


def test_rows_added_later_are_found_without_diacritics(portal, table):
    admin = portal.ckan("sysadmin")
    admin.action.datastore_upsert(
        resource_id=table,
        force=True,
        method="upsert",
        records=[{"ma": "A5", "ten": "Trung tâm Y tế huyện Tiên Yên", "ghi_chu": "tuyến huyện"}],
    )
    assert _codes(portal.ckan(), table, "tien yen") == {"A5"}
    assert _codes(portal.ckan(), table, "tuyen huyen") == {"A5"}


def test_the_stored_text_is_unaccented_and_queries_use_our_configuration(portal, table):
    anon = portal.ckan()
    # the rows hold unaccented words: an accented query through plain `simple` misses them
    plain = anon.action.datastore_search(resource_id=table, q="bệnh viện", language="simple")
    assert plain["records"] == []
    # without a language, the portal's default (ckan.datastore.default_fts_lang) unaccents
    assert _codes(anon, table, "bệnh viện") == {"A1", "A2"}


@pytest.mark.skipif(
    bool(os.environ.get("DULIEUMO_TEST_PORTAL_URL")), reason="needs the local portal's database"
)
def test_portal_up_recomputes_tables_made_before_once(portal, table):
    from portal import fulltext
    from portal.services import pg_connect
    from portal.settings import PortalSettings

    settings = PortalSettings()
    assert fulltext.ensure_fulltext(settings) == []  # done already: nothing recomputed
    conn = pg_connect(settings, settings.datastore_db)
    try:
        with conn.cursor() as cur:  # a table of an older portal: English, accents kept
            cur.execute(
                f"UPDATE \"{table}\" SET _full_text = to_tsvector('english', ten || ' ' || ghi_chu)"
            )
            cur.execute("COMMENT ON TEXT SEARCH CONFIGURATION public.dulieumo_vi IS 'old'")
    finally:
        conn.close()
    assert _codes(portal.ckan(), table, "benh vien") == set()
    assert table in fulltext.ensure_fulltext(settings)
    assert _codes(portal.ckan(), table, "benh vien") == {"A1", "A2"}
    assert fulltext.ensure_fulltext(settings) == []
