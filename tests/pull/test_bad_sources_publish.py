"""Bad sources end to end: `dulieumo publish` on a dataset whose last good release is live.
Each bad source gives a clear message and a non-zero exit, and the portal is unchanged."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.flows.conftest import prefect_server  # noqa: F401  (one Prefect server)
from tests.pull.helpers import Request, json_body, serve
from tests.support.catalog import copy_catalog, edit_spec
from tests.support.cli import json_out, run, snapshot

DATASET = "co-so-luu-tru"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "so-du-lich" / "co-so-luu-tru.csv"


@pytest.fixture(scope="module")
def baseline(portal: Any) -> dict[str, Any]:
    portal.reset()
    proc = run("publish", DATASET, "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return snapshot(portal.ckan("sysadmin"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def _records() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig"))))


@pytest.fixture
def agency() -> Iterator[str]:
    records = _records()
    duplicated = [dict(r) for r in records]
    duplicated[12]["ma_co_so"] = duplicated[2]["ma_co_so"]  # page 2 repeats a key of page 1

    def paged(rows: list[dict[str, str]], broken_page: int | None = None):
        def route(req: Request) -> tuple[int, dict[str, str], bytes]:
            page = int(req.query["page"])
            if page == broken_page:
                return 200, {"Content-Type": "text/html"}, b"<html>He thong dang bao tri</html>"
            return json_body({"data": rows[(page - 1) * 10 : page * 10]})

        return route

    with serve({"/dup": paged(duplicated), "/broken": paged(records, 2)}) as server:
        yield server.url


def _publish(root: Path, source: dict[str, Any]) -> Any:
    edit_spec(root, DATASET, lambda d: d.__setitem__("source", source))
    return run("publish", DATASET, "--json", root=root)


def _unchanged(portal: Any, baseline: dict[str, Any]) -> None:
    assert snapshot(portal.ckan("sysadmin")) == baseline


def _error(proc: Any) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr + proc.stdout
    data = json_out(proc)
    return json.dumps(data, ensure_ascii=False)


def test_duplicate_key_across_api_pages(
    portal: Any, baseline: dict[str, Any], root: Path, agency: str
) -> None:
    proc = _publish(
        root,
        {
            "type": "api",
            "url": f"{agency}/dup",
            "records": "data",
            "pagination": {"style": "page", "size": 10},
        },
    )
    assert proc.returncode == 1, (proc.stdout, proc.stderr[-2000:])
    out = json_out(proc)
    assert out["status"] == "invalid" and out["findings"] == {"primary-key": 1}
    report = json.loads(Path(out["report_path"]).read_text(encoding="utf-8"))
    text = json.dumps(report, ensure_ascii=False)
    assert '"row": 14' in text and _records()[2]["ma_co_so"] in text, text[:3000]
    _unchanged(portal, baseline)


def test_error_page_mid_paging(
    portal: Any, baseline: dict[str, Any], root: Path, agency: str
) -> None:
    text = _error(
        _publish(
            root,
            {
                "type": "api",
                "url": f"{agency}/broken?token=s3cr3t",
                "records": "data",
                "pagination": {"style": "page", "size": 10},
            },
        )
    )
    assert "page 2" in text and "not valid JSON" in text and "s3cr3t" not in text
    _unchanged(portal, baseline)


def _xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "DANH SÁCH CƠ SỞ LƯU TRÚ DU LỊCH"
    rows = list(csv.reader(io.StringIO(SAMPLE.read_text(encoding="utf-8-sig"))))
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    wb.save(path)


@pytest.mark.parametrize(
    ("case", "fragments"),
    [
        ("tcvn3-in-utf8", ["row 3, column «ten»", "TCVN3", "encoding: tcvn3"]),
        ("wrong-encoding", ["`encoding: utf-8`", "windows-1258"]),
        ("empty", ["the file is empty"]),
        ("xlsx-header", ["sheet 'Sheet', row 1", "header is not there", "row 3"]),
    ],
)
def test_bad_files(
    portal: Any, baseline: dict[str, Any], root: Path, case: str, fragments: list[str]
) -> None:
    text = SAMPLE.read_text(encoding="utf-8-sig")
    path = root / "samples" / "bad.csv"
    source: dict[str, Any] = {"type": "file", "path": "samples/bad.csv"}
    if case == "tcvn3-in-utf8":
        lines = text.splitlines(keepends=True)
        lines[2] = lines[2].replace("Nhà nghỉ", "Nhµ nghØ")
        path.write_text("".join(lines), encoding="utf-8")
    elif case == "wrong-encoding":
        path.write_bytes(text.replace("\n", "\r\n").encode("cp1258", errors="ignore"))
        source["encoding"] = "utf-8"
    elif case == "empty":
        path.write_bytes(b"")
    else:
        path = root / "samples" / "bad.xlsx"
        _xlsx(path)
        source = {"type": "file", "path": "samples/bad.xlsx", "excel": {"header_rows": [1]}}
    out = _error(_publish(root, source))
    for fragment in fragments:
        assert fragment in out, (fragment, out)
    _unchanged(portal, baseline)


def test_failing_sql_query(portal: Any, baseline: dict[str, Any], root: Path) -> None:
    out = _error(
        _publish(
            root,
            {
                "type": "sql",
                "url": "postgresql://postgres:s3cr3t@127.0.0.1:5432/postgres",
                "query": "SELECT * FROM co_so_khong_co",
            },
        )
    )
    assert (
        'relation \\"co_so_khong_co\\" does not exist' in out
        or 'relation "co_so_khong_co" does not exist' in out
    )
    assert "s3cr3t" not in out and "postgres:***@" in out
    _unchanged(portal, baseline)
