"""Cross-release checks as pure logic: column drift and row-count drift."""

from __future__ import annotations

from pathlib import Path

from tests.validate.helpers import run, schema_of
from validate.drift import check_row_count, column_drift
from validate.findings import Report

SCHEMA = schema_of({"name": "ma_co_so"}, {"name": "ten_co_so"}, {"name": "so_giuong"})


def test_renamed_added_and_dropped_columns_are_named(tmp_path: Path) -> None:
    rep = run(tmp_path, "ma_co_so,Tên cơ sở,so_giuong_benh,dien_thoai\nA,B,1,2\n", SCHEMA)
    (f,) = rep.by_code("schema-drift")
    assert f.severity == "error" and f.row == 1
    assert f.details == {
        "missing": [],
        "extra": ["dien_thoai"],
        "renamed": [["ten_co_so", "Tên cơ sở"], ["so_giuong", "so_giuong_benh"]],
    }
    assert "«ten_co_so» → «Tên cơ sở»" in f.message and "«dien_thoai»" in f.message
    assert not rep.ok


def test_missing_column_without_lookalike() -> None:
    assert column_drift(["ma_co_so", "x"], ["ma_co_so", "ten_co_so"]) == {
        "missing": ["ten_co_so"],
        "extra": ["x"],
        "renamed": [],
    }


def test_matching_header_has_no_drift(tmp_path: Path) -> None:
    rep = run(tmp_path, "ten_co_so,ma_co_so,so_giuong\nB,A,1\n", SCHEMA)  # order is free
    assert "schema-drift" not in rep.counts and rep.ok


def test_row_count_drift_beyond_tolerance() -> None:
    rep = Report("d", "f", rows=70)
    check_row_count(rep, 100, 0.2, version="1.2.0")
    (f,) = rep.by_code("row-count-drift")
    assert f.severity == "error" and f.details["previous"] == 100 and f.details["change"] == 0.3
    assert "1.2.0" in f.message and "100" in f.message and "70" in f.message
    for rows, ok in ((80, True), (120, True), (121, False), (79, False)):
        rep = Report("d", "f", rows=rows)
        check_row_count(rep, 100, 0.2)
        assert rep.ok is ok, rows
    rep = Report("d", "f", rows=10)
    check_row_count(rep, None, 0.2)  # no release yet
    check_row_count(rep, 100, None)  # no tolerance declared
    assert rep.ok and not rep.counts
