"""The API guide (/huong-dan-api), the "Dữ liệu API" popup and the sitemap, against the
running portal: Vietnamese, this portal's real names, and examples that really work."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import requests

from tests.support.catalog import copy_catalog
from tests.support.publishing import publish

DATASET = "co-so-luu-tru"
ALIAS = "co_so_luu_tru"


@pytest.fixture(scope="module")
def site(portal, tmp_path_factory):
    """One published dataset and a private one."""
    portal.reset()
    tmp = tmp_path_factory.mktemp("guide")
    root = copy_catalog(tmp / "catalog", only=(DATASET,))
    publish(root, portal, DATASET, tmp)
    ckan = portal.ckan("sysadmin")
    pkg = ckan.action.package_show(id=DATASET)
    ckan.action.package_create(
        name="du-lieu-noi-bo", title="Dữ liệu nội bộ", owner_org=pkg["owner_org"], private=True
    )
    return pkg


def _page(portal) -> str:
    response = requests.get(f"{portal.url}/huong-dan-api", timeout=60)
    assert response.status_code == 200
    return response.text


def _blocks(page: str, language: str) -> list[str]:
    found = re.findall(rf'<code class="language-{language}">(.*?)</code>', page, re.S)
    return [html.unescape(b) for b in found]


def _latest(pkg: dict) -> dict:
    return next(r for r in pkg["resources"] if r.get("dulieumo_role") == "latest-data")


def test_guide_is_vietnamese_and_names_this_portal_s_data(site, portal):
    page = _page(portal)
    assert 'lang="vi"' in page and "Hướng dẫn sử dụng API" in page
    for heading in ("Phiên bản và bản phát hành", "DCAT và thu thập gia tăng", "Giới hạn"):
        assert heading in page
    assert f"{portal.url}/api/3/action/package_show?id={DATASET}" in html.unescape(page)
    assert ALIAS in page and _latest(site)["id"] in page
    for endpoint in ("/catalog.ttl", "/catalog.jsonld", "/catalog.xml", "modified_since="):
        assert endpoint in page
    assert "jones" not in page and "watershed" not in page


def test_guide_shows_the_portal_s_configured_limits(site, portal):
    page = _page(portal)
    # the defaults of ckanext.dulieumo.search_* and the DataStore, as the portal runs them
    assert "tối đa 1000" in page  # package_search rows
    assert "5000 ms" in page  # search timeout
    assert "mặc định 100, tối đa 32000" in page  # datastore_search limit


def test_curl_examples_answer(site, portal):
    page = html.unescape(_page(portal))
    gets = re.findall(r"curl '(http[^']+)'\s*(?:\n|</code>)", page)
    assert len(gets) >= 3
    for url in gets:
        if "datastore_search_sql" in url:
            continue  # SQL by alias: see the data engineer's work on datastore_search_sql
        response = requests.get(url, timeout=60)
        assert response.status_code == 200 and response.json()["success"], url


def test_filter_example_returns_matching_rows(site, portal):
    body = next(b for b in _blocks(_page(portal), "bash") if '"filters"' in b)
    payload = json.loads(body.split("-d '", 1)[1].rsplit("'", 1)[0])
    assert payload["resource_id"] == ALIAS
    (column, value), *_ = payload["filters"].items()
    found = requests.post(
        f"{portal.url}/api/3/action/datastore_search", json=payload, timeout=60
    ).json()["result"]
    assert found["records"] and all(r[column] == value for r in found["records"])


def test_python_and_pandas_examples_run(site, portal):
    blocks = _blocks(_page(portal), "python")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(blocks[0], {})  # ckanapi: package_show and the resources
    assert site["title"] in out.getvalue()
    pandas_block = next(b for b in blocks if "pd.read_csv(url)" in b)
    scope: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(pandas_block, scope)
    total = portal.ckan().action.datastore_search(resource_id=ALIAS, limit=0)["total"]
    assert isinstance(scope["df"], pd.DataFrame) and len(scope["df"]) == total


def test_data_api_popup_is_vietnamese_with_the_alias(site, portal):
    release = next(r for r in site["resources"] if r.get("dulieumo_role") == "release-data")
    response = requests.get(f"{portal.url}/datastore/api_info/{release['id']}", timeout=60)
    assert response.status_code == 200
    text = response.text
    assert "Truy cập dữ liệu qua API" in text and "Hướng dẫn API" in text
    assert f"resource_id={ALIAS}" in html.unescape(text)
    assert "phiên bản cũ hơn" not in text  # this is the newest release
    for english in ("jones", "watershed", "CKAN Data API", "Code examples"):
        assert english not in text


def test_sitemap_lists_public_dataset_pages_only(site, portal):
    response = requests.get(f"{portal.url}/sitemap.xml", timeout=60)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(response.content).findall("s:url/s:loc", ns)]
    assert f"{portal.url}/dataset/{DATASET}" in locs
    assert f"{portal.url}/huong-dan-api" in locs
    assert not any("du-lieu-noi-bo" in loc or "--staging" in loc for loc in locs)
