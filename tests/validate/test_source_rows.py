"""Issue 16, problem 4: a finding on Excel row 126 was reported as "dòng 122". Findings on
an .xlsx name the row Excel shows (and the sheet); on a CSV the row a spreadsheet shows
(header = row 1), also when total rows were left out above it."""

from __future__ import annotations

from pathlib import Path

from pull import pull_source
from tests.pull.helpers import make_spec
from tests.support.agency_files import HEADERS, facilities, report_xlsx
from validate import validate_table

FIELDS = [
    {"name": "ma"},
    {"name": "ten"},
    {"name": "loai"},
    {"name": "giuong", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "kinh_phi", "type": "number"},
    {"name": "ngay", "type": "date"},
]
COLUMNS = dict(zip(HEADERS, [f["name"] for f in FIELDS], strict=True))


def test_xlsx_findings_name_the_excel_row_and_the_sheet(tmp_path: Path) -> None:
    rows = facilities(130)
    # header at row 5, data from row 6: data index 120 is Excel row 126
    report_xlsx(
        tmp_path / "bieu.xlsx",
        rows=rows,
        header_row=5,
        sheet="Biểu 03",
        bad={120: (3, -4), 121: (3, "mười")},
    )
    spec = make_spec(
        tmp_path,
        {"type": "file", "path": "bieu.xlsx", "excel": {"sheet": "Biểu 03", "header_rows": [5]}},
        conventions={"columns": COLUMNS},
        fields=FIELDS,
        primary_key="ma",
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    report = validate_table(table.path, spec, root=tmp_path)
    (low,) = report.by_code("constraint-minimum")
    assert low.row == 126 and low.value == "-4"
    assert "dòng 126 (trang tính «Biểu 03»)" in low.message and "122" not in low.message
    assert low.details["sheet"] == "Biểu 03" and low.details["table_row"] == 122
    (typ,) = report.by_code("type-error")
    assert typ.row == 127 and "dòng 127 (trang tính «Biểu 03»)" in typ.message


def test_csv_rows_after_a_dropped_subtotal_keep_their_spreadsheet_numbers(tmp_path: Path) -> None:
    lines = ["ma,so", "A1,1", "A2,2", "Cộng:,3", "A3,x", ""]
    (tmp_path / "t.csv").write_text("\n".join(lines), encoding="utf-8")
    spec = make_spec(
        tmp_path,
        {"type": "file", "path": "t.csv"},
        fields=[{"name": "ma"}, {"name": "so", "type": "integer"}],
        primary_key="ma",
    )
    table = pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    report = validate_table(table.path, spec, root=tmp_path)
    (bad,) = report.by_code("type-error")
    assert bad.row == 5 and "dòng 5" in bad.message  # line 5 of the file, not 4
    assert report.by_code("total-row")[0].row == 4
