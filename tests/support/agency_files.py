"""Agency files as they really come, generated for tests (deterministic, no randomness):
total rows with and without formulas, VNI / TCVN3 / Windows-1258 text, codes with invisible
spaces, a header moved down a row, dd/mm/yyyy dates and 1.234,5 numbers, a JSON answer.

``FACILITIES`` are the real rows every file holds; a test compares what was published with
them (``expected_rows``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from samples.formats import windows_1258

PLACES = ["Hạ Long", "Cẩm Phả", "Uông Bí", "Móng Cái", "Đông Triều", "Quảng Yên", "Vân Đồn"]
KINDS = ["Bệnh viện", "Trung tâm y tế", "Trạm y tế", "Phòng khám đa khoa"]
HEADERS = [
    "Mã cơ sở",
    "Tên cơ sở",
    "Loại hình",
    "Số giường",
    "Kinh phí (triệu đồng)",
    "Ngày cấp phép",
]


def facilities(n: int = 30) -> list[dict[str, Any]]:
    """The real rows: code, name, kind, beds, budget (two decimals), licence date."""
    out = []
    for i in range(1, n + 1):
        kind = KINDS[i % len(KINDS)]
        place = PLACES[i % len(PLACES)]
        out.append(
            {
                "ma": f"CS{i:05d}",
                "ten": f"{kind} {place} số {i}",
                "loai": kind,
                "giuong": (i * 37) % 400 + 10,
                "kinh_phi": round(1000 + i * 1234.25, 2),
                "ngay": dt.date(2015 + i % 9, 1 + i % 12, 1 + (i * 7) % 28),
            }
        )
    return out


FACILITIES = facilities()


def vn_number(x: float) -> str:
    whole, frac = f"{x:,.2f}".split(".")
    return whole.replace(",", ".") + "," + frac


def en_number(x: float) -> str:
    return f"{x:,.2f}"


def _rows_text(
    rows: list[dict[str, Any]], number: Callable[[float], str] = vn_number
) -> list[list[str]]:
    return [
        [
            r["ma"],
            r["ten"],
            r["loai"],
            str(r["giuong"]),
            number(r["kinh_phi"]),
            r["ngay"].strftime("%d/%m/%Y"),
        ]
        for r in rows
    ]


def csv_text(rows: list[list[str]], headers: list[str] = HEADERS, delimiter: str = ";") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue()


def total_row(rows: list[dict[str, Any]], number: Callable[[float], str] = vn_number) -> list[str]:
    return [
        "Tổng cộng",
        "",
        "",
        str(sum(r["giuong"] for r in rows)),
        number(round(sum(r["kinh_phi"] for r in rows), 2)),
        "",
    ]


# ------------------------------------------------------------------------------ CSV files


def conventions_csv(path: Path, *, style: str = "vi") -> Path:
    """UTF-8 with BOM, ';', dd/mm/yyyy dates, 1.234,5 (vi) or 1,234.5 (en) numbers."""
    number = vn_number if style == "vi" else en_number
    delimiter = ";" if style == "vi" else ","
    text = csv_text(_rows_text(FACILITIES, number), delimiter=delimiter)
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    return path


def total_rows_csv(path: Path) -> Path:
    """A CSV exported from a report: the data, then a "Tổng cộng" row."""
    rows = [*_rows_text(FACILITIES), total_row(FACILITIES)]
    path.write_bytes(csv_text(rows).encode("utf-8"))
    return path


def legacy_csv(path: Path, encoding: str) -> Path:
    """The facilities in a legacy encoding: "vni", "tcvn3" or "windows-1258"."""
    text = csv_text(_rows_text(FACILITIES))
    if encoding == "windows-1258":
        data = windows_1258(text)
    else:
        import pull.tcvn3
        import pull.vni  # noqa: F401

        data = unicodedata.normalize("NFC", text).encode(encoding)
    path.write_bytes(data)
    return path


def nbsp_codes_csv(path: Path) -> Path:
    """Codes with a trailing space or NBSP (Excel exports): CS00002 and "CS00002 " are the
    same facility twice; names with NBSP inside."""
    rows = _rows_text(FACILITIES)
    rows[4][0] = rows[4][0] + "\u00a0"  # CS00005<NBSP>
    rows[6][1] = rows[6][1].replace(" ", "\u00a0", 1)
    dup = list(rows[1])
    dup[0] = "CS00002 "
    rows.insert(10, dup)
    path.write_bytes(csv_text(rows).encode("utf-8"))
    return path


def json_answer(path: Path) -> Path:
    data = {"data": [{**r, "ngay": r["ngay"].isoformat()} for r in FACILITIES], "page": 1}
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- workbooks


def _save(wb: Any, path: Path) -> Path:
    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 5, 8, 0, 0)
    wb.save(path)
    return path


def report_xlsx(
    path: Path,
    *,
    rows: list[dict[str, Any]] = FACILITIES,
    totals: str | None = "values",
    header_row: int = 5,
    sheet: str = "Biểu 01",
    bad: dict[int, tuple[int, Any]] | None = None,
) -> Path:
    """A report sheet: title rows, a one-row header at ``header_row``, the data right below,
    then (``totals``: "values", "formulas" or None) a "Tổng cộng" row and a footnote right
    after it. ``bad``: {data index: (column index, value)} to plant a wrong cell."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.cell(1, 1, "SỞ Y TẾ TỈNH QUẢNG NINH")
    ws.cell(2, 1, "BIỂU 01: DANH SÁCH CƠ SỞ KHÁM, CHỮA BỆNH NĂM 2025")
    for c, h in enumerate(HEADERS, start=1):
        ws.cell(header_row, c, h)
    first = header_row + 1
    for i, r in enumerate(rows):
        values: list[Any] = [
            r["ma"],
            r["ten"],
            r["loai"],
            r["giuong"],
            r["kinh_phi"],
            dt.datetime.combine(r["ngay"], dt.time()),
        ]
        if bad and i in bad:
            col, value = bad[i]
            values[col] = value
        for c, v in enumerate(values, start=1):
            ws.cell(first + i, c, v)
    last = first + len(rows) - 1
    after = last + 1
    if totals is not None:
        ws.cell(after, 1, "Tổng cộng")
        if totals == "formulas":  # never opened in Excel: no cached values
            ws.cell(after, 4, f"=SUM(D{first}:D{last})")
            ws.cell(after, 5, f"=SUM(E{first}:E{last})")
        else:
            ws.cell(after, 4, sum(r["giuong"] for r in rows))
            ws.cell(after, 5, round(sum(r["kinh_phi"] for r in rows), 2))
        after += 1
    ws.cell(after, 1, "Ghi chú: số liệu đến ngày 31/12/2025.")
    return _save(wb, path)


def moved_header_xlsx(path: Path, *, shift: int) -> Path:
    """The monthly report with a two-row header at rows 4–5, moved down ``shift`` rows (an
    extra title line this month)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu 01"
    ws.cell(1, 1, "SỞ Y TẾ TỈNH QUẢNG NINH")
    if shift:
        ws.cell(2, 1, "(Kèm theo Công văn số 123/SYT-KHTC)")
    top = 4 + shift
    ws.cell(top, 1, "Mã cơ sở")
    ws.cell(top, 2, "Tên cơ sở")
    ws.cell(top, 3, "Quy mô")
    ws.cell(top + 1, 3, "Số giường")
    ws.cell(top + 1, 4, "Số bác sĩ")
    ws.merge_cells(start_row=top, start_column=3, end_row=top, end_column=4)
    for i, r in enumerate(FACILITIES[:10]):
        for c, v in enumerate([r["ma"], r["ten"], r["giuong"], r["giuong"] // 10], start=1):
            ws.cell(top + 2 + i, c, v)
    return _save(wb, path)


def expected_rows(rows: list[dict[str, Any]] = FACILITIES) -> list[dict[str, Any]]:
    """The real rows as typed values: what the portal must hold."""
    return [
        {
            "ma": r["ma"],
            "ten": r["ten"],
            "loai": r["loai"],
            "giuong": r["giuong"],
            "kinh_phi": r["kinh_phi"],
            "ngay": r["ngay"].isoformat(),
        }
        for r in rows
    ]
