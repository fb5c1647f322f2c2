"""JSON REST API: page, offset and next-link paging against a local server; an error page
or malformed JSON mid-paging; 5xx transient, 4xx terminal; a primary key repeated across
pages reaches validation."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from dulieumo.errors import SourceError, SourceUnavailable
from pull import pull_source
from tests.pull.helpers import Request, json_body, make_spec, read_csv, serve
from validate import validate_table

FIELDS = [
    {"name": "ma_co_so", "type": "string", "title": "Mã cơ sở"},
    {"name": "ten", "type": "string", "title": "Tên cơ sở"},
    {"name": "so_phong", "type": "integer", "title": "Số phòng"},
    {"name": "hang_sao", "type": "integer", "title": "Hạng sao"},
]
RECORDS = [
    {
        "ma_co_so": f"LT-{i:03d}",
        "ten": f"Khách sạn Hạ Long {i}",
        "so_phong": 10 + i,
        "hang_sao": i % 6,
    }
    for i in range(1, 24)
]  # 23 records: pages of 10, 10, 3


def page_route(records: list[dict[str, Any]], broken: dict[int, tuple[int, bytes]] | None = None):
    def route(req: Request) -> tuple[int, dict[str, str], bytes]:
        page, size = int(req.query.get("page", 1)), int(req.query.get("size", 10))
        if broken and page in broken:
            status, body = broken[page]
            return status, {"Content-Type": "text/html"}, body
        chunk = records[(page - 1) * size : page * size]
        return json_body({"data": chunk, "meta": {"page": page}})

    return route


def offset_route(req: Request) -> tuple[int, dict[str, str], bytes]:
    offset, limit = int(req.query["start"]), int(req.query["rows"])
    return json_body({"result": {"items": RECORDS[offset : offset + limit]}})


def next_route(req: Request) -> tuple[int, dict[str, str], bytes]:
    n = int(req.query.get("cursor", 0))
    nxt = f"/next?cursor={n + 7}&api_key=s3cr3t" if n + 7 < len(RECORDS) else None
    return json_body({"items": RECORDS[n : n + 7], "links": {"next": nxt}})


def _spec(root: Path, source: dict[str, Any], **extra: Any):
    return make_spec(
        root,
        {"type": "api", "timeout_s": 5, **source},
        fields=FIELDS,
        name="co-so-luu-tru",
        **extra,
    )


def _expected() -> list[list[str]]:
    return [["ma_co_so", "ten", "so_phong", "hang_sao"]] + [
        [r["ma_co_so"], r["ten"], str(r["so_phong"]), str(r["hang_sao"])] for r in RECORDS
    ]


@pytest.mark.parametrize(
    ("route", "source", "requests"),
    [
        ("/page", {"records": "data", "pagination": {"style": "page", "size": 10}}, 3),
        (
            "/offset",
            {
                "records": "result.items",
                "pagination": {
                    "style": "offset",
                    "offset_param": "start",
                    "limit_param": "rows",
                    "size": 10,
                },
            },
            3,
        ),
        ("/next", {"records": "items", "pagination": {"style": "next", "next": "links.next"}}, 4),
    ],
)
def test_paging_styles(tmp_path: Path, route: str, source: dict[str, Any], requests: int) -> None:
    routes = {"/page": page_route(RECORDS), "/offset": offset_route, "/next": next_route}
    with serve(routes) as server:
        table = pull_source(
            _spec(tmp_path, {"url": server.url + route, **source}),
            root=tmp_path,
            workdir=tmp_path / "run",
        )
        assert len(server.hits(route)) == requests
    assert read_csv(table.path) == _expected()
    assert table.source_uri == server.url + route
    assert len(table.raw_sha256) == 64


def test_exact_multiple_of_the_page_size_ends_on_an_empty_page(tmp_path: Path) -> None:
    with serve({"/page": page_route(RECORDS[:20])}) as server:
        table = pull_source(
            _spec(
                tmp_path,
                {
                    "url": server.url + "/page",
                    "records": "data",
                    "pagination": {"style": "page", "size": 10},
                },
            ),
            root=tmp_path,
            workdir=tmp_path / "run",
        )
        assert [r.query["page"] for r in server.hits("/page")] == ["1", "2", "3"]
    assert len(read_csv(table.path)) == 21


def test_keys_in_any_order_missing_keys_are_null_and_conventions_rename(tmp_path: Path) -> None:
    records = [
        {"Tên": "Khách sạn A", "Mã": "LT-1", "Số phòng": "1.200", "Hạng": 5},
        {"Mã": "LT-2", "Tên": "Nhà nghỉ B", "Hạng": None},
    ]
    with serve({"/a": lambda r: json_body(records)}) as server:
        spec = _spec(
            tmp_path,
            {"url": server.url + "/a"},
            conventions={
                "columns": {
                    "Mã": "ma_co_so",
                    "Tên": "ten",
                    "Số phòng": "so_phong",
                    "Hạng": "hang_sao",
                },
                "group_char": ".",
                "decimal_char": ",",
            },
        )
        table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert read_csv(table.path) == [
        ["ma_co_so", "ten", "so_phong", "hang_sao"],
        ["LT-1", "Khách sạn A", "1200", "5"],
        ["LT-2", "Nhà nghỉ B", "", ""],
    ]


BAD_PAGES = [
    ({2: (200, b"<html><body>Loi he thong</body></html>")}, SourceError, "not valid JSON"),
    ({2: (200, b'{"data": [{"ma_co_so": "LT-011",')}, SourceError, "line 1, column"),
    ({3: (502, b"<html>Bad gateway</html>")}, SourceUnavailable, "HTTP 502"),
    ({2: (503, b"")}, SourceUnavailable, "HTTP 503"),
    ({2: (403, b'{"error": {"message": "Token expired"}}')}, SourceError, "Token expired"),
]


@pytest.mark.parametrize(("broken", "error", "fragment"), BAD_PAGES)
def test_error_mid_paging(
    tmp_path: Path,
    broken: dict[int, tuple[int, bytes]],
    error: type[Exception],
    fragment: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    page = next(iter(broken))
    with serve({"/page": page_route(RECORDS, broken)}) as server:
        url = server.url.replace("http://", "http://officer:pa55w0rd@") + "/page?api_key=s3cr3t"
        spec = _spec(
            tmp_path, {"url": url, "records": "data", "pagination": {"style": "page", "size": 10}}
        )
        with pytest.raises(error) as info:
            pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert (
        f"Dataset 'co-so-luu-tru', source {server.url}/page?api_key=***, page {page} ("
        f"{server.url}/page?api_key=***&page={page}&size=10)" in msg
    )
    assert fragment in msg
    if error is SourceError:
        assert not isinstance(info.value, SourceUnavailable)
    for secret in ("pa55w0rd", "s3cr3t"):
        assert secret not in msg and secret not in caplog.text
    assert not (tmp_path / "run" / "co-so-luu-tru.csv").exists()


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        ({"items": []}, "has no 'data' (found: items)"),
        ({"data": {"a": 1}}, "is a dict, not a list"),
        ({"data": [1, 2]}, "record 1 is a int"),
        ({"data": []}, "returned no records"),
    ],
)
def test_answers_without_records(tmp_path: Path, answer: Any, fragment: str) -> None:
    with serve({"/a": lambda r: json_body(answer)}) as server, pytest.raises(SourceError) as info:
        pull_source(
            _spec(tmp_path, {"url": server.url + "/a", "records": "data"}),
            root=tmp_path,
            workdir=tmp_path / "run",
        )
    assert fragment in str(info.value)


def test_next_link_loop_is_stopped(tmp_path: Path) -> None:
    loop = {"items": RECORDS[:2], "next": "/loop"}
    with (
        serve({"/loop": lambda r: json_body(loop)}) as server,
        pytest.raises(SourceError, match="paging loop"),
    ):
        pull_source(
            _spec(
                tmp_path,
                {"url": server.url + "/loop", "records": "items", "pagination": {"style": "next"}},
            ),
            root=tmp_path,
            workdir=tmp_path / "run",
        )


def test_duplicate_primary_key_across_pages_reaches_validation(tmp_path: Path) -> None:
    records = [dict(r) for r in RECORDS]
    records[14]["ma_co_so"] = records[3]["ma_co_so"]  # page 2 repeats a key of page 1
    with serve({"/page": page_route(records)}) as server:
        spec = _spec(
            tmp_path,
            {
                "url": server.url + "/page",
                "records": "data",
                "pagination": {"style": "page", "size": 10},
            },
        )
        table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    report = validate_table(table.path, spec, root=tmp_path)
    assert not report.ok
    dup = [f for f in report.findings if f.code == "primary-key"]
    assert (
        len(dup) == 1
        and dup[0].row == 16
        and "LT-004"
        in json.dumps(
            dup[0].to_dict() if hasattr(dup[0], "to_dict") else dup[0].__dict__, ensure_ascii=False
        )
    )
