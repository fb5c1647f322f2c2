"""The CKAN-free rules of the `dulieumo_data` plugin: CORS (cors.py) and the data
dictionary's type names (dictionary.py)."""

from __future__ import annotations

import pytest

from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import cors, dictionary  # isort: skip

ANY = cors.parse_origins("*")
LISTED = cors.parse_origins("https://app.example.vn https://bando.example.vn/")


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "get"])
def test_reads_from_any_origin_get_a_star_and_never_credentials(method):
    got = cors.cors_headers(method, "https://x.example", ANY)
    assert got["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in got["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in got
    assert "authorization" not in got["Access-Control-Allow-Headers"].lower()


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_writes_get_no_cors(method):
    assert cors.cors_headers(method, "https://x.example", ANY) == {}


def test_without_origin_nothing_is_added():
    assert cors.cors_headers("GET", None, ANY) == {}
    assert cors.cors_headers("GET", "", ANY) == {}


def test_a_listed_origin_is_echoed_and_others_get_nothing():
    assert LISTED == ("https://app.example.vn", "https://bando.example.vn")
    ok = cors.cors_headers("GET", "https://bando.example.vn", LISTED)
    assert ok["Access-Control-Allow-Origin"] == "https://bando.example.vn"
    assert cors.cors_headers("GET", "https://evil.example", LISTED) == {}
    assert cors.cors_headers("GET", "https://app.example.vn.evil.example", LISTED) == {}


def test_an_empty_setting_turns_cors_off():
    assert cors.cors_headers("GET", "https://x.example", cors.parse_origins("")) == {}


def test_apply_removes_other_cors_headers_and_varies_on_origin_for_a_list():
    headers = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST, PUT, GET, DELETE, OPTIONS",
        "Access-Control-Allow-Credentials": "true",
    }
    cors.apply("POST", "https://app.example.vn", LISTED, headers)
    assert not any(h.startswith("Access-Control-") for h in headers)
    assert headers["Vary"] == "Origin"
    cors.apply("GET", "https://app.example.vn", LISTED, headers)
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.vn"
    assert headers["Vary"] == "Origin"


@pytest.mark.parametrize(
    ("native", "label"),
    [
        ("int8", "số nguyên"),
        ("int4", "số nguyên"),
        ("numeric", "số thực"),
        ("float8", "số thực"),
        ("text", "văn bản"),
        ("bool", "đúng/sai"),
        ("date", "ngày"),
        ("timestamptz", "ngày giờ"),
        ("_text", "danh sách văn bản"),
        ("tsvector", "tsvector"),
    ],
)
def test_types_are_named_in_vietnamese(native, label):
    assert dictionary.type_label({"id": "x", "type": native}) == label
    assert dictionary.type_label(native) == label
