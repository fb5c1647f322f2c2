"""Excel .xlsx: title rows, a merged two-row header, footnotes; the header not where
declared; an empty or non-xlsx file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from dulieumo.errors import SourceError
from pull import pull_source
from pull.excel import join_header
from tests.pull.helpers import make_spec, read_csv

FIELDS = [
    {"name": "ma_co_so", "type": "string", "title": "Mã cơ sở"},
    {"name": "ten", "type": "string", "title": "Tên cơ sở"},
    {"name": "giuong_ke_hoach", "type": "integer", "title": "Số giường kế hoạch"},
    {"name": "giuong_thuc_te", "type": "integer", "title": "Số giường thực kê"},
    {"name": "kinh_phi", "type": "number", "title": "Kinh phí"},
    {"name": "ngay_cap_phep", "type": "date", "title": "Ngày cấp phép"},
]
CONV = {
    "columns": {
        "STT": None,
        "Mã cơ sở": "ma_co_so",
        "Tên cơ sở": "ten",
        "Số giường / Kế hoạch": "giuong_ke_hoach",
        "Số giường / Thực kê": "giuong_thuc_te",
        "Kinh phí (triệu đồng)": "kinh_phi",
        "Ngày cấp phép": "ngay_cap_phep",
    },
    "decimal_char": ",",
    "group_char": ".",
    "date_format": "%d/%m/%Y",
}
DATA = [
    [
        1,
        "KCB-1",
        "Bệnh viện Đa khoa tỉnh Quảng Ninh",
        1200,
        1350,
        1234567.5,
        dt.datetime(2020, 5, 1),
    ],
    [2, "KCB-2", "Trung tâm Y tế thành phố Hạ Long", 300, 280, "12.345,75", "15/08/2019"],
    [3, "KCB-3", "Trạm Y tế phường Hồng Gai", 0, None, None, dt.date(2021, 1, 4)],
]


def workbook(
    path: Path, *, footnote_gap: bool = True, rows: list[list[Any]] = DATA, sheet: str = "Biểu 01"
) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = "SỞ Y TẾ TỈNH QUẢNG NINH"
    ws["A2"] = "BÁO CÁO DANH SÁCH CƠ SỞ KHÁM BỆNH, CHỮA BỆNH NĂM 2025"
    ws.merge_cells("A2:G2")
    ws["A3"] = "(Kèm theo Công văn số 123/SYT-NVY)"
    # two-row header at rows 5-6: "Số giường" merged over D5:E5, the others over two rows
    for col, text in zip(
        "ABCFG",
        ["STT", "Mã cơ sở", "Tên\ncơ sở", "Kinh phí (triệu đồng)", "Ngày cấp phép"],
        strict=True,
    ):
        ws[f"{col}5"] = text
        ws.merge_cells(f"{col}5:{col}6")
    ws["D5"] = "Số giường"
    ws.merge_cells("D5:E5")
    ws["D6"], ws["E6"] = "Kế hoạch", "Thực kê"
    for i, col in enumerate("ABCDEFG", start=1):
        ws[f"{col}7"] = f"({i})"
    for r, row in enumerate(rows, start=8):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c, value)
    end = 8 + len(rows) + (1 if footnote_gap else 0)
    ws.cell(end, 1, "Ghi chú: số giường thực kê tính đến 31/12/2025.")
    ws.cell(end + 1, 1, "Nguồn: Sở Y tế")
    ws.cell(end + 3, 5, "Người lập biểu")
    wb.create_sheet("Hướng dẫn")["A1"] = "Không sửa biểu này"
    wb.save(path)
    return path


def _spec(root: Path, excel: dict[str, Any], conventions: dict[str, Any] | None = CONV):
    return make_spec(
        root,
        {"type": "file", "path": "bieu.xlsx", "excel": excel},
        conventions=conventions,
        fields=FIELDS,
    )


EXCEL = {"sheet": "Biểu 01", "header_rows": [5, 6], "first_data_row": 8}
EXPECTED = [
    ["ma_co_so", "ten", "giuong_ke_hoach", "giuong_thuc_te", "kinh_phi", "ngay_cap_phep"],
    ["KCB-1", "Bệnh viện Đa khoa tỉnh Quảng Ninh", "1200", "1350", "1234567.5", "2020-05-01"],
    ["KCB-2", "Trung tâm Y tế thành phố Hạ Long", "300", "280", "12345.75", "2019-08-15"],
    ["KCB-3", "Trạm Y tế phường Hồng Gai", "0", "", "", "2021-01-04"],
]


@pytest.mark.parametrize("gap", [True, False])
def test_table_with_title_rows_merged_header_and_footnotes(tmp_path: Path, gap: bool) -> None:
    workbook(tmp_path / "bieu.xlsx", footnote_gap=gap)
    table = pull_source(_spec(tmp_path, EXCEL), root=tmp_path, workdir=tmp_path / "run")
    assert read_csv(table.path) == EXPECTED
    assert table.encoding == "xlsx" and table.source_uri == "bieu.xlsx"
    assert len(table.raw_sha256) == 64 and table.raw_sha256 != table.sha256


def test_sheet_by_number_and_default_first_data_row(tmp_path: Path) -> None:
    rows = [["", "", "", "", "", "", ""], *DATA]  # an empty row 8 would end the table
    workbook(tmp_path / "bieu.xlsx", rows=DATA)
    spec = _spec(tmp_path, {"sheet": 1, "header_rows": [5, 6], "first_data_row": 8})
    assert read_csv(pull_source(spec, root=tmp_path, workdir=tmp_path / "r").path) == EXPECTED
    workbook(tmp_path / "bieu.xlsx", rows=rows)
    with pytest.raises(SourceError, match="header but no data rows"):
        pull_source(_spec(tmp_path, EXCEL), root=tmp_path, workdir=tmp_path / "r2")


def test_joined_header_labels() -> None:
    assert join_header(
        [["STT", "Số giường", None, "Ghi chú"], [None, "Kế hoạch", "Thực kê", None]]
    ) == ["STT", "Số giường / Kế hoạch", "Số giường / Thực kê", "Ghi chú"]
    assert join_header([["Tên\n cơ  sở", None]]) == ["Tên cơ sở"]


def test_header_not_where_declared(tmp_path: Path) -> None:
    workbook(tmp_path / "bieu.xlsx")
    spec = _spec(tmp_path, {"sheet": "Biểu 01", "header_rows": [2, 3]})
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert (
        "Dataset 'co-so-y-te', source bieu.xlsx, sheet 'Biểu 01', rows 2-3: the table's "
        "header is not there." in msg
    )
    assert "row 2: 'BÁO CÁO DANH SÁCH CƠ SỞ KHÁM BỆNH, CHỮA BỆNH NĂM 2025'" in msg
    assert "row 3: '(Kèm theo Công văn số 123/SYT-NVY)'" in msg
    assert "ma_co_so (Mã cơ sở)" in msg
    assert "header seems to be at row 5" in msg
    assert "source.excel.header_rows" in msg
    assert not (tmp_path / "run" / "co-so-y-te.csv").exists()


def test_one_header_row_declared_for_a_two_row_header(tmp_path: Path) -> None:
    workbook(tmp_path / "bieu.xlsx")
    spec = _spec(tmp_path, {"header_rows": [5], "first_data_row": 8})
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert (
        "sheet 'Biểu 01', row 5: the columns 'Số giường', '(blank, column 5)' are "
        "neither a field of the schema nor mapped under `conventions.columns`" in msg
    )
    assert "giuong_ke_hoach (Số giường kế hoạch)" in msg  # the expected fields are listed
    assert 'columns: {"Số giường": <field name>} (or null' in msg


def test_missing_sheet_lists_the_sheets(tmp_path: Path) -> None:
    workbook(tmp_path / "bieu.xlsx")
    with pytest.raises(SourceError) as info:
        pull_source(
            _spec(tmp_path, {"sheet": "Biểu 02", "header_rows": [5, 6]}),
            root=tmp_path,
            workdir=tmp_path / "run",
        )
    assert "no sheet 'Biểu 02' (sheets: 'Biểu 01', 'Hướng dẫn')" in str(info.value)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "the file is empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old .xls workbook"),
        ("ma_co_so,ten\nKCB-1,Bệnh viện\n".encode(), "not an .xlsx workbook"),
    ],
)
def test_not_a_workbook(tmp_path: Path, data: bytes, fragment: str) -> None:
    (tmp_path / "bieu.xlsx").write_bytes(data)
    with pytest.raises(SourceError) as info:
        pull_source(_spec(tmp_path, EXCEL), root=tmp_path, workdir=tmp_path / "run")
    assert fragment in str(info.value) and "source bieu.xlsx" in str(info.value)


def test_workbook_behind_http_with_its_format_from_the_url(tmp_path: Path) -> None:
    from tests.pull.helpers import serve

    data = workbook(tmp_path / "served.xlsx").read_bytes()

    def route(req: Any) -> tuple[int, dict[str, str], bytes]:
        if req.headers.get("if-none-match") == '"1"':
            return 304, {}, b""
        return 200, {"ETag": '"1"'}, data

    with serve({"/bieu-01.xlsx": route}) as server:
        spec = make_spec(
            tmp_path,
            {"type": "http", "url": f"{server.url}/bieu-01.xlsx", "excel": EXCEL},
            conventions=CONV,
            fields=FIELDS,
        )
        first = pull_source(spec, root=tmp_path, workdir=tmp_path / "a")
        second = pull_source(spec, root=tmp_path, workdir=tmp_path / "b")
    assert read_csv(first.path) == read_csv(second.path) == EXPECTED
    assert second.not_modified and first.raw_sha256 == second.raw_sha256
