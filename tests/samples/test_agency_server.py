"""The sample agency server serves what the sample specs expect (and behaves like the real
thing: conditional GETs, paging, CKAN's Action API, the SQL database)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from dulieumo.catalog import load_catalog
from samples.agency_server import (
    CKAN_RESOURCE,
    ENTERPRISES,
    MONITORING,
    PROCEDURES,
    AgencyServer,
    load_sql,
)
from tests.support.catalog import REPO_ROOT


def _records(rel: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((REPO_ROOT / rel).read_text(encoding="utf-8"))
    return data


def test_every_agency_url_of_the_specs_answers(agency: AgencyServer) -> None:
    from pull.env import expand

    urls = [
        s.source.url
        for s in load_catalog(REPO_ROOT).datasets.values()  # type: ignore[union-attr]
        if s.source.type in ("http", "api", "ckan")
    ]
    assert len(urls) == 4
    for url in urls:
        resolved = expand(url, spec_file="spec", field="source.url")
        assert resolved.startswith(agency.url)
        probe = resolved + (
            "/api/3/action/datastore_search?resource_id=" + CKAN_RESOURCE
            if resolved.endswith("/ckan")
            else ""
        )
        assert httpx.get(probe, timeout=10).status_code == 200, probe


def test_files_have_validators_and_answer_conditional_requests(agency: AgencyServer) -> None:
    url = f"{agency.url}/files/so-xay-dung/chi-so-gia-xay-dung.csv"
    first = httpx.get(url)
    assert first.status_code == 200
    assert first.content == (REPO_ROOT / "samples/so-xay-dung/chi-so-gia-xay-dung.csv").read_bytes()
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    again = httpx.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert httpx.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert httpx.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert httpx.get(f"{agency.url}/files/../pyproject.toml").status_code == 404
    assert httpx.get(f"{agency.url}/files/khong-co.csv").status_code == 404


def test_a_changed_file_gets_a_new_etag(tmp_path: Path) -> None:
    shutil.copytree(REPO_ROOT / "samples", tmp_path / "samples")
    with AgencyServer(tmp_path, port=0, sql=False) as server:
        url = f"{server.url}/files/so-xay-dung/chi-so-gia-xay-dung.csv"
        etag = httpx.get(url).headers["ETag"]
        path = tmp_path / "samples/so-xay-dung/chi-so-gia-xay-dung.csv"
        path.write_bytes(path.read_bytes() + b"2025-Q3;193;DAN_DUNG;x;1;1;1;1\r\n")
        changed = httpx.get(url, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_http_source_is_not_downloaded_again_when_unchanged(
    agency: AgencyServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pull import pull_source

    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "work"))
    spec = load_catalog(REPO_ROOT).get("chi-so-gia-xay-dung")
    rel = "so-xay-dung/chi-so-gia-xay-dung.csv"
    before = len(agency.answers)
    one = pull_source(spec, root=REPO_ROOT, workdir=tmp_path / "a")
    two = pull_source(spec, root=REPO_ROOT, workdir=tmp_path / "b")
    assert agency.answers[before:] == [(rel, 200), (rel, 304)]
    assert one.sha256 == two.sha256 and two.not_modified and not one.not_modified


@pytest.mark.parametrize("params", [{"page": 1, "pageSize": 100}, {"offset": 0, "limit": 64}])
def test_enterprise_api_pages_cover_the_sample_once(
    agency: AgencyServer, params: dict[str, int]
) -> None:
    got: list[dict[str, Any]] = []
    while True:
        body = httpx.get(f"{agency.url}/api/dkkd/doanh-nghiep", params=params).json()
        got += body["data"]
        assert body["meta"]["total"] == len(_records(ENTERPRISES))
        size = params.get("pageSize") or params["limit"]
        if len(body["data"]) < size:
            break
        if "page" in params:
            params = {**params, "page": params["page"] + 1}
        else:
            params = {**params, "offset": params["offset"] + size}
    assert got == _records(ENTERPRISES)
    bad = httpx.get(f"{agency.url}/api/dkkd/doanh-nghiep", params={"page": "x"})
    assert bad.status_code == 400


def test_monitoring_api_follows_next_links_to_the_end(agency: AgencyServer) -> None:
    url: str | None = f"{agency.url}/api/quan-trac/ket-qua?limit=1000"
    got: list[dict[str, Any]] = []
    pages = 0
    while url:
        body = httpx.get(url).json()
        got += body["items"]
        url = body["links"]["next"]
        pages += 1
    assert pages == 6 and got == _records(MONITORING)


def test_ckan_action_api_serves_the_harvested_table(agency: AgencyServer) -> None:
    base = f"{agency.url}/ckan/api/3/action"
    page = httpx.get(
        f"{base}/datastore_search",
        params={"resource_id": CKAN_RESOURCE, "limit": 50, "offset": 100},
    ).json()
    assert page["success"] is True
    result = page["result"]
    assert result["total"] == len(_records(PROCEDURES)) == 108
    assert [r["_id"] for r in result["records"]] == list(range(101, 109))
    assert [f["id"] for f in result["fields"]][:3] == ["_id", "thang", "ma_co_quan"]
    missing = httpx.get(f"{base}/datastore_search", params={"resource_id": "khong-co"})
    assert missing.status_code == 404 and missing.json()["success"] is False
    shown = httpx.get(f"{base}/resource_show", params={"id": CKAN_RESOURCE}).json()["result"]
    assert shown["datastore_active"] is True and httpx.get(shown["url"]).status_code == 200


def test_sql_sample_is_loaded_into_the_agency_database() -> None:
    import psycopg2

    assert load_sql(REPO_ROOT) == 160
    assert load_sql(REPO_ROOT) == 160  # again: replaced, not doubled
    with (
        psycopg2.connect(host="127.0.0.1", user="postgres", dbname="dulieumo_agency") as conn,
        conn.cursor() as cur,
    ):
        cur.execute("SELECT count(*) FROM du_an_dau_tu_cong WHERE giai_ngan > von_ke_hoach_nam")
        assert cur.fetchone() == (0,)
        cur.execute("SELECT nhom_du_an, count(*) FROM du_an_dau_tu_cong GROUP BY 1 ORDER BY 1")
        assert [g for g, _ in cur.fetchall()] == ["A", "B", "C"]


def test_a_busy_port_is_a_clear_error(agency: AgencyServer) -> None:
    from dulieumo.errors import TerminalError

    port = int(agency.url.rsplit(":", 1)[1])
    with pytest.raises(TerminalError, match="DULIEUMO_AGENCY_PORT"):
        AgencyServer(port=port, sql=False).start()


def test_agency_database_follows_the_configured_postgresql(monkeypatch) -> None:
    """A user whose PostgreSQL listens elsewhere (DULIEUMO_PG_*) gets the SQL sample there."""
    from samples.agency_server import local_db_url

    for var in (
        "DULIEUMO_PG_HOST",
        "DULIEUMO_PG_PORT",
        "DULIEUMO_PG_SUPERUSER",
        "DULIEUMO_PG_SUPERUSER_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)
    assert local_db_url() == "postgresql://postgres@127.0.0.1:5432/dulieumo_agency"
    monkeypatch.setenv("DULIEUMO_PG_PORT", "5439")
    monkeypatch.setenv("DULIEUMO_PG_SUPERUSER_PASSWORD", "p@ss/word")
    assert local_db_url() == "postgresql://postgres:p%40ss%2Fword@127.0.0.1:5439/dulieumo_agency"
