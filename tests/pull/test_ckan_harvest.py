"""Harvest another CKAN portal — here our own running local portal: a dataset with a
DataStore table and an uploaded CSV, created with the sysadmin token, then pulled back
through the Action API (datastore_search paging, and resource download)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dulieumo.errors import SourceError
from pull import pull_source
from tests.pull.helpers import make_spec, read_csv

FIELDS = [
    {"name": "ma_tram", "type": "string", "title": "Mã trạm"},
    {"name": "ten_tram", "type": "string", "title": "Tên trạm"},
    {"name": "ngay", "type": "date", "title": "Ngày đo"},
    {"name": "gia_tri", "type": "number", "title": "Giá trị"},
    {"name": "so_mau", "type": "integer", "title": "Số mẫu"},
]
ROWS = [
    {
        "ma_tram": f"QT-{i:02d}",
        "ten_tram": f"Trạm quan trắc Hạ Long {i}",
        "ngay": f"2025-01-{i:02d}",
        "gia_tri": 20.5 + i,
        "so_mau": i,
    }
    for i in range(1, 13)
]


@pytest.fixture(scope="module")
def harvested(portal: Any) -> Iterator[dict[str, str]]:
    ckan = portal.ckan("sysadmin")
    org = ckan.action.organization_list()[0]
    name = f"thu-harvest-{uuid.uuid4().hex[:8]}"
    pkg = ckan.action.package_create(
        name=name, title="Thử thu thập", owner_org=org, license_id="cc-by"
    )
    try:
        ds = ckan.action.datastore_create(
            resource={"package_id": pkg["id"], "name": "Quan trắc", "format": "CSV"},
            fields=[
                {"id": "ma_tram", "type": "text"},
                {"id": "ten_tram", "type": "text"},
                {"id": "ngay", "type": "timestamp"},
                {"id": "gia_tri", "type": "numeric"},
                {"id": "so_mau", "type": "int"},
            ],
            records=ROWS,
            force=True,
        )
        csv_text = "ma_tram,ten_tram\nQT-01,Trạm Cẩm Phả\nQT-02,Trạm Móng Cái\n"
        upload = ckan.action.resource_create(
            package_id=pkg["id"],
            name="Danh sách trạm",
            format="CSV",
            upload=("tram.csv", io.BytesIO(csv_text.encode("utf-8"))),
        )
        yield {
            "url": portal.url,
            "datastore": ds["resource_id"],
            "file": upload["id"],
            "csv": csv_text,
            "token": portal.token("sysadmin"),
        }
    finally:
        ckan.action.dataset_purge(id=pkg["id"])


def test_datastore_table_is_harvested_page_by_page(
    tmp_path: Path, harvested: dict[str, str]
) -> None:
    spec = make_spec(
        tmp_path,
        {
            "type": "ckan",
            "url": harvested["url"],
            "resource_id": harvested["datastore"],
            "page_size": 5,
        },
        fields=FIELDS,
        primary_key="ma_tram",
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    rows = read_csv(table.path)
    assert rows[0] == ["ma_tram", "ten_tram", "ngay", "gia_tri", "so_mau"]  # no _id
    assert rows[1] == ["QT-01", "Trạm quan trắc Hạ Long 1", "2025-01-01", "21.5", "1"]
    assert len(rows) == 13 and rows[-1][0] == "QT-12"
    assert table.source_uri == f"{harvested['url']} resource {harvested['datastore']}"


def test_resource_file_is_downloaded(
    tmp_path: Path, harvested: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OTHER_PORTAL_TOKEN", harvested["token"])
    fields = FIELDS[:2]
    spec = make_spec(
        tmp_path,
        {
            "type": "ckan",
            "url": harvested["url"],
            "datastore": False,
            "resource_id": harvested["file"],
            "headers": {"Authorization": "${OTHER_PORTAL_TOKEN}"},
        },
        fields=fields,
        primary_key="ma_tram",
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert table.path.read_text(encoding="utf-8") == harvested["csv"]
    assert "/download/tram.csv" in table.source_uri
    assert harvested["token"] not in table.source_uri


def test_unknown_resource_is_terminal(tmp_path: Path, harvested: dict[str, str]) -> None:
    spec = make_spec(
        tmp_path,
        {"type": "ckan", "url": harvested["url"], "resource_id": "khong-co-tai-nguyen-nay"},
        fields=FIELDS,
    )
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert "HTTP 404" in msg and "page 1" in msg and "khong-co-tai-nguyen-nay" in msg
