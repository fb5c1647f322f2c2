"""Issue 16, problem 1: a sheet ending with a "Tổng cộng" row (with or without formulas) and
a footnote. The total row is never published as data; it is reported once (`total-row`,
with the row as Excel shows it) unless the spec declares it (`excel.skip_rows`,
`excel.last_data_row`); `check_totals` compares the declared total with the rows' sum."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pull import pull_source
from pull.totals import total_label
from tests.pull.helpers import make_spec, read_csv
from tests.support.agency_files import FACILITIES, HEADERS, report_xlsx, total_rows_csv
from validate import validate_table

FIELDS = [
    {"name": "ma", "type": "string", "constraints": {"required": True}},
    {"name": "ten", "type": "string", "constraints": {"required": True}},
    {"name": "loai", "type": "string", "constraints": {"required": True}},
    {"name": "giuong", "type": "integer", "constraints": {"required": True}},
    {"name": "kinh_phi", "type": "number", "constraints": {"required": True}},
    {"name": "ngay", "type": "date", "constraints": {"required": True}},
]
COLUMNS = dict(zip(HEADERS, [f["name"] for f in FIELDS], strict=True))
# 30 data rows at Excel rows 6-35, the total row at 36, the footnote at 37
TOTAL_ROW = 36


def _run(root: Path, source: dict[str, Any], **conv: Any) -> tuple[list[list[str]], Any]:
    spec = make_spec(
        root,
        source,
        conventions={"columns": COLUMNS, **conv},
        fields=FIELDS,
        primary_key="ma",
    )
    table = pull_source(spec, root=root, workdir=root / "run")
    return read_csv(table.path), validate_table(table.path, spec, root=root)


@pytest.mark.parametrize("totals", ["values", "formulas"])
def test_xlsx_total_row_is_left_out_and_reported_once_with_its_excel_row(
    tmp_path: Path, totals: str
) -> None:
    report_xlsx(tmp_path / "bieu.xlsx", totals=totals)
    rows, report = _run(
        tmp_path, {"type": "file", "path": "bieu.xlsx", "excel": {"header_rows": [5]}}
    )
    assert [r[0] for r in rows[1:]] == [f["ma"] for f in FACILITIES]  # no "Tổng cộng"
    assert report.ok  # a strict schema (every field required) still publishes
    (found,) = report.by_code("total-row")
    assert found.severity == "warning" and found.row == TOTAL_ROW
    assert f"Dòng {TOTAL_ROW} (trang tính «Biểu 01»)" in found.message
    assert "skip_rows" in found.message and found.value == "Tổng cộng"


@pytest.mark.parametrize(
    "excel",
    [
        {"header_rows": [5], "skip_rows": ["Tổng cộng"]},
        {"header_rows": [5], "last_data_row": TOTAL_ROW - 1},
    ],
)
def test_declared_total_rows_are_left_out_silently(tmp_path: Path, excel: dict[str, Any]) -> None:
    report_xlsx(tmp_path / "bieu.xlsx")
    rows, report = _run(tmp_path, {"type": "file", "path": "bieu.xlsx", "excel": excel})
    assert len(rows) == 1 + len(FACILITIES)
    assert report.ok and "total-row" not in report.counts


def test_declared_total_is_checked_against_the_sum_of_the_rows(tmp_path: Path) -> None:
    excel = {"header_rows": [5], "skip_rows": ["Tổng cộng"], "check_totals": ["giuong"]}
    report_xlsx(tmp_path / "bieu.xlsx")
    _, report = _run(tmp_path, {"type": "file", "path": "bieu.xlsx", "excel": excel})
    assert "total-mismatch" not in report.counts
    changed = [dict(r) for r in FACILITIES]
    report_xlsx(tmp_path / "bieu.xlsx", rows=changed)  # totals of the real rows
    changed[3]["giuong"] += 5  # a row edited after the total was typed
    from openpyxl import load_workbook

    wb = load_workbook(tmp_path / "bieu.xlsx")
    wb["Biểu 01"].cell(6 + 3, 4, changed[3]["giuong"])
    wb.save(tmp_path / "bieu.xlsx")
    _, report = _run(tmp_path, {"type": "file", "path": "bieu.xlsx", "excel": excel})
    (bad,) = report.by_code("total-mismatch")
    assert bad.severity == "error" and bad.row == TOTAL_ROW and bad.field == "giuong"
    expected = sum(f["giuong"] for f in FACILITIES)
    assert bad.value == str(expected) and bad.details["sum"] == str(expected + 5)


def test_csv_total_row_is_left_out_with_its_spreadsheet_row(tmp_path: Path) -> None:
    total_rows_csv(tmp_path / "co-so.csv")
    rows, report = _run(
        tmp_path,
        {"type": "file", "path": "co-so.csv", "delimiter": ";"},
        decimal_char=",",
        group_char=".",
        date_format="%d/%m/%Y",
    )
    assert len(rows) == 1 + len(FACILITIES) and rows[-1][0] == FACILITIES[-1]["ma"]
    (found,) = report.by_code("total-row")
    assert found.row == len(FACILITIES) + 2  # header = row 1
    assert report.ok


@pytest.mark.parametrize(
    ("cells", "label"),
    [
        (["Tổng cộng", None, 120], "Tổng cộng"),
        ([None, "TỔNG SỐ:", 5], "TỔNG SỐ:"),
        (["", "Cộng", "", 7], "Cộng"),
        (["Tổng cộng toàn tỉnh", 9], "Tổng cộng toàn tỉnh"),
        (["Tổng", 1], "Tổng"),
        (["CS01", "Tổng công ty Than Đông Bắc", 3], None),
        (["CS02", "Tổng cục Thống kê", 3], None),
        (["CS03", "Cộng đồng dân cư", 3], None),
        ([1, 2, 3, "Tổng cộng"], None),  # beyond the first three filled cells
    ],
)
def test_what_a_total_row_is(cells: list[Any], label: str | None) -> None:
    assert total_label(cells) == label
