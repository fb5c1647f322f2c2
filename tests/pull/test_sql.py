"""SQL source on the local PostgreSQL (127.0.0.1:5432, trust): rows streamed in query order,
typed values written canonically; a failing query → a clear terminal error with the
database's message and the password masked; an unreachable server → transient."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from dulieumo.errors import SourceError, SourceUnavailable
from pull import pull_source
from tests.pull.helpers import make_spec, read_csv
from validate import validate_table

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
FIELDS = [
    {"name": "ma_du_an", "type": "string", "title": "Mã dự án"},
    {"name": "ten", "type": "string", "title": "Tên dự án"},
    {"name": "tong_muc_dau_tu", "type": "number", "title": "Tổng mức đầu tư"},
    {"name": "ngay_phe_duyet", "type": "date", "title": "Ngày phê duyệt"},
    {"name": "hoan_thanh", "type": "boolean", "title": "Hoàn thành"},
    {"name": "so_goi_thau", "type": "integer", "title": "Số gói thầu"},
]


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    name = f"dulieumo_conn_test_{os.getpid()}"
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=5, **PG)
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn = psycopg2.connect(dbname=name, **PG)
    with conn, conn.cursor() as cur:
        cur.execute("""CREATE TABLE du_an (id serial, ma text, ten text, tong numeric(14,1),
                       ngay date, xong boolean, goi integer)""")
        cur.executemany(
            "INSERT INTO du_an (ma, ten, tong, ngay, xong, goi) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                ("DA-1", "Đường bao biển Hạ Long – Cẩm Phả", 8500000.5, "2020-03-15", True, 12),
                ("DA-2", "Cầu Cửa Lục 3", 2100000, "2021-11-02", False, 4),
                ("DA-3", "Trường THPT Uông Bí", None, None, None, None),
            ],
        )
    conn.close()
    try:
        yield name
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


QUERY = (
    "SELECT ma AS ma_du_an, ten, tong AS tong_muc_dau_tu, ngay AS ngay_phe_duyet, "
    "xong AS hoan_thanh, goi AS so_goi_thau FROM du_an ORDER BY id"
)


def _spec(root: Path, url: str, query: str = QUERY):
    return make_spec(
        root,
        {"type": "sql", "url": url, "query": query},
        fields=FIELDS,
        name="du-an-dau-tu-cong",
        primary_key="ma_du_an",
    )


def test_query_rows_become_the_normalised_csv(
    tmp_path: Path, database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENCY_DB_PASSWORD", "s3cr3t")
    spec = _spec(
        tmp_path, f"postgresql://postgres:${{AGENCY_DB_PASSWORD}}@127.0.0.1:5432/{database}"
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert read_csv(table.path) == [
        ["ma_du_an", "ten", "tong_muc_dau_tu", "ngay_phe_duyet", "hoan_thanh", "so_goi_thau"],
        ["DA-1", "Đường bao biển Hạ Long – Cẩm Phả", "8500000.5", "2020-03-15", "true", "12"],
        ["DA-2", "Cầu Cửa Lục 3", "2100000.0", "2021-11-02", "false", "4"],
        ["DA-3", "Trường THPT Uông Bí", "", "", "", ""],
    ]
    assert "s3cr3t" not in table.source_uri and "***" in table.source_uri
    assert validate_table(table.path, spec, root=tmp_path).ok
    again = pull_source(spec, root=tmp_path, workdir=tmp_path / "run2")
    assert again.raw_sha256 == table.raw_sha256  # same rows, same provenance hash


def test_agency_column_names_are_renamed(tmp_path: Path, database: str) -> None:
    spec = make_spec(
        tmp_path,
        {
            "type": "sql",
            "query": "SELECT ma, ten, tong, ngay, xong, goi FROM du_an ORDER BY id",
            "url": f"postgresql://postgres@127.0.0.1/{database}",
        },
        fields=FIELDS,
        name="du-an-dau-tu-cong",
        conventions={
            "columns": {
                "ma": "ma_du_an",
                "tong": "tong_muc_dau_tu",
                "ngay": "ngay_phe_duyet",
                "xong": "hoan_thanh",
                "goi": "so_goi_thau",
            }
        },
    )
    rows = read_csv(pull_source(spec, root=tmp_path, workdir=tmp_path / "run").path)
    assert rows[0][0] == "ma_du_an" and rows[1][0] == "DA-1"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("SELECT * FROM khong_co_bang", 'relation "khong_co_bang" does not exist'),
        ("SELECT ma, khong_co FROM du_an", 'column "khong_co" does not exist'),
        ("SELEC ma FROM du_an", 'syntax error at or near "SELEC"'),
        ("SELECT 1/0 AS ma_du_an", "division by zero"),
    ],
)
def test_failing_query(tmp_path: Path, database: str, query: str, fragment: str) -> None:
    url = f"postgresql://postgres:s3cr3t@127.0.0.1:5432/{database}"
    with pytest.raises(SourceError) as info:
        pull_source(_spec(tmp_path, url, query), root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert not isinstance(info.value, SourceUnavailable)
    assert msg.startswith(
        f"Dataset 'du-an-dau-tu-cong', source postgresql://postgres:***@"
        f"127.0.0.1:5432/{database}: the database refused the query: "
    )
    assert fragment in msg and "s3cr3t" not in msg and "source.query" in msg
    assert not (tmp_path / "run" / "du-an-dau-tu-cong.csv").exists()


def test_empty_result_is_an_error(tmp_path: Path, database: str) -> None:
    spec = _spec(
        tmp_path,
        f"postgresql://postgres@127.0.0.1/{database}",
        QUERY.replace("ORDER BY", "WHERE false ORDER BY"),
    )
    with pytest.raises(SourceError, match="returned no records"):
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")


def test_unreachable_database_is_transient(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = _spec(tmp_path, f"postgresql://postgres:s3cr3t@127.0.0.1:{port}/x")
    with pytest.raises(SourceUnavailable) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert "cannot reach the database" in str(info.value) and "s3cr3t" not in str(info.value)


def test_unknown_database_is_named(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "postgresql://postgres:s3cr3t@127.0.0.1:5432/khong_co_csdl_nay")
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert 'database "khong_co_csdl_nay" does not exist' in str(info.value)
    assert "s3cr3t" not in str(info.value)
