"""Finding 10: files served from the portal's origin (a release's report.html, any uploaded
HTML) come with a strict Content-Security-Policy (sandbox, no script) and nosniff; every
response has `X-Content-Type-Options: nosniff`. Checked over HTTP on the running portal."""

from __future__ import annotations

import io
import uuid

import httpx
import pytest

ORG = "so-du-lich"
HOSTILE = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def uploaded_html(portal) -> str:
    """An HTML file uploaded as a resource by the portal's sysadmin: its download URL."""
    ckan = portal.ckan("sysadmin")
    name = f"kiem-tra-csp-{uuid.uuid4().hex[:8]}"
    ckan.action.package_create(name=name, title="Kiểm tra CSP", owner_org=ORG)
    res = ckan.action.resource_create(
        package_id=name, name="report.html", upload=("report.html", io.BytesIO(HOSTILE))
    )
    yield res["url"]
    ckan.action.dataset_purge(id=name)


def test_uploaded_html_is_served_sandboxed(portal, uploaded_html: str) -> None:
    assert "/resource/" in uploaded_html and "/download/" in uploaded_html
    resp = httpx.get(uploaded_html, timeout=30)
    assert resp.status_code == 200 and resp.content == HOSTILE
    policy = resp.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    assert directives.get("default-src") == "default-src 'none'", policy
    assert "sandbox" in directives and directives["sandbox"] == "sandbox", policy  # no allow-*
    assert "script-src" not in directives, policy
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"


def test_download_without_file_name_is_sandboxed_too(portal, uploaded_html: str) -> None:
    bare = uploaded_html.rsplit("/", 1)[0]  # /dataset/<id>/resource/<rid>/download
    resp = httpx.get(bare, timeout=30)
    assert resp.status_code == 200
    assert "sandbox" in resp.headers.get("Content-Security-Policy", "")


@pytest.mark.parametrize(
    "path", ["/", "/dataset/", "/api/3/action/status_show", "/api/3/action/package_search?q=x"]
)
def test_every_response_is_nosniff(portal, path: str) -> None:
    resp = httpx.get(portal.url + path, timeout=30)
    assert resp.status_code == 200
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"


def test_pages_are_not_sandboxed(portal) -> None:
    """The portal's own pages keep working (their scripts run): no sandbox policy on them."""
    resp = httpx.get(portal.url + "/dataset/", timeout=30)
    assert "sandbox" not in resp.headers.get("Content-Security-Policy", "")
