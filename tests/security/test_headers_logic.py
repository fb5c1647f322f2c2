"""The header rules of the CKAN extension (headers.py), without CKAN."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HEADERS = (
    Path(__file__).resolve().parents[2] / "portal/ckanext-dulieumo/ckanext/dulieumo/headers.py"
)
spec = importlib.util.spec_from_file_location("dulieumo_headers", HEADERS)
assert spec and spec.loader
headers = importlib.util.module_from_spec(spec)
sys.modules["dulieumo_headers"] = headers
spec.loader.exec_module(headers)


@pytest.mark.parametrize(
    ("path", "served"),
    [
        ("/dataset/abc/resource/123/download/validation-report-v1.0.0.html", True),
        ("/dataset/abc/resource/123/download", True),
        ("/vi/dataset/abc/resource/123/download/x.html", True),
        ("/uploads/group/logo.svg", True),
        ("/en/uploads/user/x.html", True),
        ("/dataset/abc/resource/123", False),
        ("/dataset/abc", False),
        ("/api/3/action/package_show", False),
        ("/dataset/download-resource-list", False),
    ],
)
def test_served_files_are_recognised(path: str, served: bool) -> None:
    assert headers.is_served_file(path) is served
    got = headers.security_headers(path)
    assert got["X-Content-Type-Options"] == "nosniff"
    assert ("Content-Security-Policy" in got) is served


def test_apply_overrides_a_weaker_policy() -> None:
    h = {"Content-Security-Policy": "default-src *"}
    headers.apply("/dataset/a/resource/b/download/r.html", h)
    assert h["Content-Security-Policy"] == headers.FILE_POLICY
    assert "script-src" not in headers.FILE_POLICY and "sandbox" in headers.FILE_POLICY
