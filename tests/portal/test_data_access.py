"""Reaching the data on the running portal (issues 14.5 and 15.5-7), after two releases of
the health-facility dataset: an honest "latest" (bytes, DataStore, dictionary, SQL by alias),
search without diacritics, clear SQL refusals, CORS on reads and downloads, and the previews
(table, map, Excel download, Vietnamese data dictionary)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from publish.client import PortalClient
from publish.releases import Releaser
from pull import pull_source
from tests.support.catalog import copy_catalog
from validate import validate_table

DATASET = "co-so-kham-chua-benh"
ALIAS = "co_so_kham_chua_benh"
ORIGIN = "https://ung-dung.example.vn"


def _release(root: Path, portal: Any, work: Path) -> tuple[Any, bytes]:
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    table = pull_source(spec, root=root, workdir=work)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    client = PortalClient(PortalTarget(portal.url, portal.token("publisher")))
    result = Releaser(client, spec, catalog.portal, workdir=work, flow_run_id="data-test").publish(
        table, report, schema
    )
    return result, Path(table.path).read_bytes()


@pytest.fixture(scope="module")
def two(portal, tmp_path_factory):
    portal.reset()
    root = copy_catalog(tmp_path_factory.mktemp("catalog"), only=(DATASET,))
    first, _ = _release(root, portal, tmp_path_factory.mktemp("run1"))
    source = root / "samples" / "so-y-te" / f"{DATASET}.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[:-2])  # two facilities fewer: a PATCH release
    source.write_text(out.getvalue(), encoding="utf-8")
    second, validated = _release(root, portal, tmp_path_factory.mktemp("run2"))
    assert (first.version, second.version) == ("1.0.0", "1.0.1")
    pkg = portal.ckan().action.package_show(id=DATASET)
    return {"result": second, "bytes": validated, "pkg": pkg, "rows": len(rows) - 2, "root": root}


def _role(pkg: dict, role: str) -> dict:
    return next(r for r in pkg["resources"] if r.get("dulieumo_role") == role)


def _latest(two) -> dict:
    return _role(two["pkg"], "latest-data")


def _action(portal, name: str, **params: Any) -> requests.Response:
    return requests.get(f"{portal.url}/api/3/action/{name}", params=params, timeout=60)


# ----------------------------------------------------------------------- an honest latest


def test_latest_url_downloads_the_current_release_bytes(portal, two):
    latest = _latest(two)
    want = hashlib.sha256(two["bytes"]).hexdigest()
    assert hashlib.sha256(requests.get(latest["url"], timeout=60).content).hexdigest() == want
    stable = f"{portal.url}/dataset/{DATASET}/resource/{latest['id']}/download"
    assert hashlib.sha256(requests.get(stable, timeout=60).content).hexdigest() == want
    assert "v1.0.1" in latest["url"]


def test_latest_is_queryable_in_the_datastore_with_its_dictionary(portal, two):
    latest = _latest(two)
    assert latest["datastore_active"] is True
    found = portal.ckan().action.datastore_search(resource_id=latest["id"], limit=0)
    assert found["total"] == two["rows"]
    info = portal.ckan().action.datastore_info(id=latest["id"])
    fields = {f["id"]: f for f in info["fields"]}
    assert fields["ten"]["info"]["label"] == "Tên cơ sở"
    assert fields["so_giuong"]["info"]["type_override"] == "int8"
    assert fields["vi_do"]["info"]["notes"].startswith("Vĩ độ")


@pytest.mark.parametrize("name", [ALIAS, "latest-id"])
def test_sql_accepts_the_alias_and_the_latest_id(portal, two, name):
    table = _latest(two)["id"] if name == "latest-id" else name
    resp = _action(portal, "datastore_search_sql", sql=f'SELECT count(*) AS n FROM "{table}"')
    assert resp.status_code == 200, resp.text[:300]
    assert int(resp.json()["result"]["records"][0]["n"]) == two["rows"]


def test_sql_by_alias_of_a_private_dataset_is_refused(portal, two):
    admin = portal.ckan("sysadmin")
    admin.action.package_patch(id=DATASET, private=True)
    try:
        sql = f"SELECT count(*) FROM {ALIAS}"
        assert _action(portal, "datastore_search_sql", sql=sql).status_code == 403
        joined = f'SELECT count(*) FROM {ALIAS} a JOIN "{_latest(two)["id"]}" b USING (ma_co_so)'
        assert _action(portal, "datastore_search_sql", sql=joined).status_code == 403
        assert int(admin.action.datastore_search_sql(sql=sql)["records"][0]["count"]) > 0
    finally:
        admin.action.package_patch(id=DATASET, private=False)


@pytest.mark.parametrize("payload", [{}, {"sql": ""}, {"sql": "   "}, {"sql": 5}])
def test_a_missing_or_empty_sql_is_a_409_naming_it(portal, two, payload):
    resp = requests.post(
        f"{portal.url}/api/3/action/datastore_search_sql", json=payload, timeout=60
    )
    assert resp.status_code == 409, resp.text[:300]
    assert "sql" in resp.json()["error"]


# ----------------------------------------------------------------- search without diacritics


def test_search_without_diacritics_on_the_published_alias(portal, two):
    anon = portal.ckan()
    plain = anon.action.datastore_search(resource_id=ALIAS, q="benh vien", limit=1000)
    marked = anon.action.datastore_search(resource_id=ALIAS, q="bệnh viện", limit=1000)
    assert marked["total"] > 0
    assert {r["ma_co_so"] for r in plain["records"]} == {r["ma_co_so"] for r in marked["records"]}


# ------------------------------------------------------------------------------------ CORS


def _cors(resp: requests.Response) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.lower().startswith("access-control-")}


def test_cors_allows_reads_and_downloads_from_any_origin(portal, two):
    latest = _latest(two)
    urls = [
        f"{portal.url}/api/3/action/datastore_search?resource_id={ALIAS}&limit=1",
        f"{portal.url}/api/3/action/package_show?id={DATASET}",
        latest["url"],
        f"{portal.url}/datastore/dump/{latest['id']}?bom=True",
    ]
    for url in urls:
        resp = requests.get(url, headers={"Origin": ORIGIN}, timeout=60)
        assert resp.status_code == 200, url
        assert resp.headers.get("Access-Control-Allow-Origin") == "*", url
        assert "Access-Control-Allow-Credentials" not in resp.headers
    stable = f"{portal.url}/dataset/{DATASET}/resource/{latest['id']}/download"
    redirect = requests.get(stable, headers={"Origin": ORIGIN}, allow_redirects=False, timeout=60)
    assert redirect.status_code in (301, 302, 303, 307, 308)
    assert redirect.headers.get("Access-Control-Allow-Origin") == "*"


def test_cors_preflight_allows_get_only_and_writes_get_no_cors(portal, two):
    pre = requests.options(
        f"{portal.url}/api/3/action/datastore_search",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
        timeout=60,
    )
    assert pre.headers.get("Access-Control-Allow-Origin") == "*"
    assert pre.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "authorization" not in pre.headers["Access-Control-Allow-Headers"].lower()
    post = requests.post(
        f"{portal.url}/api/3/action/package_list", json={}, headers={"Origin": ORIGIN}, timeout=60
    )
    assert _cors(post) == {}
    plain = requests.get(f"{portal.url}/api/3/action/package_list", timeout=60)
    assert _cors(plain) == {}


# -------------------------------------------------------------------------------- previews


@pytest.mark.parametrize("role", ["latest-data", "release-data"])
def test_table_and_map_views_on_latest_and_release_tables(portal, two, role):
    res = _role(two["pkg"], role)
    views = portal.ckan().action.resource_view_list(id=res["id"])
    assert {v["view_type"] for v in views} == {"datatables_view", "dulieumo_map"}
    mapped = next(v for v in views if v["view_type"] == "dulieumo_map")
    page = requests.get(
        f"{portal.url}/dataset/{DATASET}/resource/{res['id']}/view/{mapped['id']}", timeout=60
    )
    assert page.status_code == 200
    assert f'data-points-count="{two["rows"]}"' in page.text
    assert "/dulieumo/leaflet-1.9.4/leaflet.js" in page.text
    leaflet = requests.get(f"{portal.url}/dulieumo/leaflet-1.9.4/leaflet.js", timeout=60)
    assert leaflet.status_code == 200 and "Leaflet 1.9.4" in leaflet.text[:500]
    table = next(v for v in views if v["view_type"] == "datatables_view")
    grid = requests.get(
        f"{portal.url}/dataset/{DATASET}/resource/{res['id']}/view/{table['id']}", timeout=60
    )
    assert grid.status_code == 200 and "Tên&nbsp;cơ&nbsp;sở" in grid.text  # the schema title


def test_resource_page_offers_excel_download_first_and_a_vietnamese_dictionary(portal, two):
    latest = _latest(two)
    page = requests.get(f"{portal.url}/dataset/{DATASET}/resource/{latest['id']}", timeout=60)
    html = page.text
    assert page.status_code == 200
    excel = f"/datastore/dump/{latest['id']}?bom=True"
    assert html.index("Tải CSV mở bằng Excel") < html.index("Từ điển dữ liệu")
    assert html.index(excel) < html.index('class="resource-view"')
    assert "Địa chỉ ổn định" in html
    for shown in ("Tên cơ sở", "số nguyên", "số thực", "văn bản", "đúng/sai", "ngày"):
        assert shown in html, shown
    assert ">int8<" not in html and ">bool<" not in html
    body = requests.get(f"{portal.url}{excel}", timeout=60).content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "Bệnh viện" in text and len(text.splitlines()) == two["rows"] + 1


@pytest.mark.skipif(
    bool(os.environ.get("DULIEUMO_TEST_PORTAL_URL")), reason="needs the local portal's database"
)
def test_the_streamed_excel_download_leaves_no_open_transaction(portal, two):
    from portal.services import pg_connect
    from portal.settings import PortalSettings

    settings = PortalSettings()
    for _ in range(3):  # each gunicorn worker serves one
        resp = requests.get(
            f"{portal.url}/datastore/dump/{_latest(two)['id']}?bom=True", timeout=60
        )
        assert resp.status_code == 200
    conn = pg_connect(settings)
    try:
        with conn.cursor() as cur:
            for _ in range(50):
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND state = 'idle in transaction'",
                    (settings.ckan_db,),
                )
                if cur.fetchone()[0] == 0:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("a dump left the CKAN database idle in transaction")
    finally:
        conn.close()


def test_an_unchanged_run_repairs_missing_previews_once(portal, two, tmp_path):
    """A portal published before previews: the latest link not queryable, no views."""
    admin = portal.ckan("sysadmin")
    latest = _latest(two)
    for view in admin.action.resource_view_list(id=latest["id"]):
        admin.action.resource_view_delete(id=view["id"])
    admin.action.resource_patch(id=latest["id"], datastore_active=False)
    result, _ = _release(two["root"], portal, tmp_path / "a")
    assert result.action == "unchanged"
    shown = admin.action.resource_show(id=latest["id"])
    assert shown["datastore_active"] is True
    kinds = {v["view_type"] for v in admin.action.resource_view_list(id=latest["id"])}
    assert kinds == {"datatables_view", "dulieumo_map"}
    before = admin.action.package_show(id=DATASET)
    again, _ = _release(two["root"], portal, tmp_path / "b")
    assert again.action == "unchanged"
    assert admin.action.package_show(id=DATASET) == before
