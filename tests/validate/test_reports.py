"""Reports people read: grouped and capped JSON, the Vietnamese HTML report, the Prefect
artifact text, quarantine listing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.validate.helpers import run, schema_of, write_json, write_text
from validate.artifacts import markdown, table_rows
from validate.findings import Report
from validate.html import render
from validate.schema import load_schema

SCHEMA = schema_of(
    {"name": "ma", "title": "Mã cơ sở"},
    {"name": "so", "type": "integer", "title": "Số giường"},
    {"name": "ghi_chu", "title": "Ghi chú"},
)


def test_a_million_bad_rows_make_a_short_report(tmp_path: Path) -> None:
    text = "ma,so,ghi_chu\n" + "A,x,\n" * 1_000_000
    rep = run(tmp_path, text, SCHEMA, cap=25)
    assert rep.rows == 1_000_000 and rep.counts["type-error"] == 1_000_000
    data = rep.to_dict()
    assert len(data["findings"]) == 25
    assert data["groups"] == [
        {
            "code": "type-error",
            "title": "Sai kiểu dữ liệu",
            "severity": "error",
            "count": 1_000_000,
            "shown": 25,
        }
    ]
    assert data["by_field"] == {"so": {"type-error": 1_000_000}}
    out = rep.write_json(tmp_path / "report.json")
    assert out.stat().st_size < 50_000
    html = render(rep, table=tmp_path / "data.csv", schema=load_schema(tmp_path / "schema.json"))
    assert len(html) < 100_000 and "1000000" in html.replace(".", "")


def test_html_report_is_vietnamese_escaped_and_masks_rows(tmp_path: Path) -> None:
    text = "ma,so,ghi_chu\nA1,3,bình thường\nA2,ba,<script>alert(1)</script>\nA3,4,gọi 0912345678\n"
    rep = run(tmp_path, text, SCHEMA)
    html = render(
        rep,
        table=tmp_path / "data.csv",
        schema=load_schema(tmp_path / "schema.json"),
        version="1.2.0",
    )
    assert html.startswith("<!DOCTYPE html>") and 'lang="vi"' in html
    assert "Không đạt" in html and "chưa được công bố" in html and "1.2.0" in html
    assert "Sai kiểu dữ liệu" in html and "Số điện thoại di động" in html
    assert "Số giường" in html  # the field's title, per-field table
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "0912345678" not in html and "09******78" in html  # sample rows masked too
    assert "Một số dòng có lỗi" in html and "A2" in html


def test_clean_report_says_so(tmp_path: Path) -> None:
    rep = run(tmp_path, "ma,so,ghi_chu\nA1,3,\n", SCHEMA)
    html = render(rep)
    assert "Đạt: dữ liệu không có lỗi" in html and "Các loại lỗi" not in html
    assert "Đạt" in markdown(rep) and table_rows(rep) == []


def test_archived_report_renders(tmp_path: Path) -> None:
    rep = run(tmp_path, "ma,so,ghi_chu\nA1,x,\n", SCHEMA)
    again = Report.from_dict(json.loads(rep.write_json(tmp_path / "r.json").read_text()))
    assert dict(again.counts) == dict(rep.counts) and again.error_count == 1
    assert [f.to_dict() for f in again.findings] == [f.to_dict() for f in rep.findings]
    assert "Sai kiểu dữ liệu" in render(again)


def test_markdown_artifact_lists_codes(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        "ma,so,ghi_chu\nA1,x,\nA1,4,an@gmail.com\n",
        schema_of(*SCHEMA["fields"], primaryKey=["ma"]),
    )
    md = markdown(rep, report_path="/x/validation-report.json")
    assert "Không đạt" in md and "`type-error`" in md and "`pii-email`" in md
    assert "an@gmail.com" not in md and "/x/validation-report.json" in md
    rows = table_rows(rep)
    assert {r["mã"] for r in rows} == {"type-error", "pii-email", "primary-key"}


def test_quarantine_keeps_input_and_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validate.quarantine import list_quarantine, quarantine

    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "work"))
    assert list_quarantine() == []
    schema = load_schema(write_json(tmp_path / "schema.json", SCHEMA))
    table = write_text(tmp_path / "data.csv", "ma,so,ghi_chu\nA1,x,\n")
    rep = run(tmp_path, "ma,so,ghi_chu\nA1,x,\n", SCHEMA)
    first = quarantine("co-so", "20260101T000000Z", table, rep, schema=schema)
    second = quarantine("khac", "20260102T000000Z", table, rep, schema=schema)
    assert (first / "input.csv").read_text() == table.read_text()
    assert json.loads((first / "report.json").read_text())["counts"] == {"type-error": 1}
    assert "Sai kiểu dữ liệu" in (first / "report.html").read_text(encoding="utf-8")
    listed = list_quarantine()
    assert [m["path"] for m in listed] == [str(second), str(first)]
    assert listed[1]["files"]["input.csv"] == str(first / "input.csv")
    assert [m["dataset"] for m in list_quarantine("co-so")] == ["co-so"]
    assert list_quarantine("khong-co") == []


def test_release_report_names_the_release_file_and_the_local_time(tmp_path: Path) -> None:
    """A published report (with a version) shows no path of the machine that ran it, and its
    time in Vietnamese local time with the zone (issue 14, point 7)."""
    rep = Report(dataset="co-so-kham-chua-benh", file="samples/so-y-te/co-so.csv", rows=3)
    released = render(rep, version="1.2.0")
    assert "samples/" not in released and "co-so-kham-chua-benh-v1.2.0.csv" in released
    assert re.search(r"\d\d:\d\d ngày \d\d/\d\d/\d{4} \(giờ Việt Nam, UTC\+07:00\)", released)
    assert "samples/so-y-te/co-so.csv" in render(rep)  # an officer's local run keeps its path
