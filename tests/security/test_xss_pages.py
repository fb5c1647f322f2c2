"""Script in dataset titles, notes and names of things is escaped on the portal's pages
(held in the audit).

A public dataset whose title, notes and resource name carry ``<script>`` and
``<img onerror>`` payloads, in an organisation whose title carries one too; the search page
(``/dataset``), the dataset page and the organisation page, fetched over plain HTTP, must
carry them only escaped (or, for Markdown notes, sanitised away), never as live markup. A
search term with a payload is echoed escaped too (reflected XSS).
"""

from __future__ import annotations

import re

import pytest
import requests
from ckanapi import NotFound

ORG = "atk-xss-to-chuc"
NAME = "atk-xss-bo-du-lieu"
TITLE = '<script>alert("xss-tieu-de")</script> Bộ dữ liệu kiểm thử XSS'
NOTES = (
    "<img src=x onerror=alert('xss-ghi-chu')> Ghi chú **đậm** "
    '<script>alert("xss-ghi-chu-2")</script> <a href="javascript:alert(3)">liên kết</a>'
)
RESOURCE = "<svg onload=alert('xss-tai-nguyen')> Tệp CSV"
ORG_TITLE = "<script>alert('xss-to-chuc')</script> Sở kiểm thử XSS"

#: live markup that must never reach a page
LIVE = [
    re.compile(r"<script>alert\(", re.I),
    re.compile(r"<img[^>]*onerror", re.I),
    re.compile(r"<svg[^>]*onload", re.I),
    re.compile(r"href=[\"']?javascript:", re.I),
]


@pytest.fixture(scope="module")
def xss(portal) -> str:
    admin = portal.ckan("sysadmin")
    try:
        admin.action.dataset_purge(id=NAME)
    except NotFound:
        pass
    try:
        admin.action.organization_show(id=ORG)
        admin.action.organization_patch(id=ORG, title=ORG_TITLE)
    except NotFound:
        admin.action.organization_create(name=ORG, title=ORG_TITLE)
    admin.action.package_create(
        name=NAME,
        owner_org=ORG,
        title=TITLE,
        notes=NOTES,
        resources=[{"url": "http://example.org/xss.csv", "format": "CSV", "name": RESOURCE}],
    )
    return portal.url


def page(url: str, path: str, **params: str) -> str:
    resp = requests.get(url + path, params=params, timeout=60)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.text


def assert_no_live_markup(html: str) -> None:
    found = [p.pattern for p in LIVE if p.search(html)]
    assert found == [], found


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/dataset", {}),
        ("/dataset", {"q": "kiem thu xss"}),
        (f"/dataset/{NAME}", {}),
        (f"/organization/{ORG}", {}),
        ("/organization", {}),
    ],
)
def test_payloads_never_reach_a_page_as_markup(xss, path, params):
    assert_no_live_markup(page(xss, path, **params))


@pytest.mark.parametrize("path", ["/dataset", f"/dataset/{NAME}"])
def test_the_title_is_shown_escaped(xss, path):
    html = page(xss, path, **({"q": "kiem thu xss"} if path == "/dataset" else {}))
    assert "&lt;script&gt;alert(" in html
    assert "Bộ dữ liệu kiểm thử XSS" in html


def test_the_notes_are_sanitised_on_the_dataset_page(xss):
    html = page(xss, f"/dataset/{NAME}")
    assert "<strong>đậm</strong>" in html  # Markdown still renders
    # the sanitiser drops the handler, the script and the javascript: link target
    assert "xss-ghi-chu" not in html
    assert "javascript:" not in html


def test_the_resource_name_and_organisation_title_are_escaped(xss):
    html = page(xss, f"/dataset/{NAME}")
    assert "&lt;svg onload=" in html
    listing = page(xss, "/dataset", q="kiem thu xss")
    assert "&lt;script&gt;alert(&#39;xss-to-chuc&#39;)" in listing  # the organisation facet


def test_a_search_term_is_echoed_escaped(xss):
    html = page(xss, "/dataset", q="<script>alert('xss-tim-kiem')</script>")
    assert_no_live_markup(html)
    assert "&lt;script&gt;alert(" in html
