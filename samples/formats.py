"""Writers for the shapes agency data really arrives in: legacy encodings, Excel reports, SQL.

Every writer is deterministic (same rows → same bytes) so the committed samples can be
checked against a fresh run of ``samples/generate.py``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from typing import Any

TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters like ơ, â precomposed, tone marks combining."""
    out: list[str] = []
    base, tones = "", ""
    for ch in unicodedata.normalize("NFD", text) + "\x00":
        if unicodedata.combining(ch):
            if ch in TONE_MARKS:
                tones += ch
            else:
                base += ch
            continue
        if base:
            out.append(unicodedata.normalize("NFC", base) + tones)
        base, tones = ch, ""
    return "".join(out).encode("cp1258")


#: TCVN 5712:1993 "VN3" (the ABC fonts .VnTime …): one byte per Vietnamese letter. The
#: normal (lower-case) font has no capital letters with tone marks; only Ă Â Đ Ê Ô Ơ Ư.
_TCVN3_ROWS = {
    "a": "aµ¸¶·¹",
    "ă": "¨»¾¼½Æ",
    "â": "©ÇÊÈÉË",
    "e": "eÌÐÎÏÑ",
    "ê": "ªÒÕÓÔÖ",
    "i": "i×ÝØÜÞ",
    "o": "oßãáâä",
    "ô": "«åèæçé",
    "ơ": "¬êíëìî",
    "u": "uïóñòô",
    "ư": "\xadõøö÷ù",
    "y": "yúýûüþ",
}
_TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # none, huyền, sắc, hỏi, ngã, nặng
TCVN3: dict[str, int] = {
    "đ": 0xAE,
    "Ă": 0xA1,
    "Â": 0xA2,
    "Đ": 0xA7,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
}
for _base, _glyphs in _TCVN3_ROWS.items():
    for _tone, _glyph in zip(_TONES, _glyphs, strict=True):
        _letter = unicodedata.normalize("NFC", _base + _tone)
        if _letter != _base or _base not in "aeiouy":
            TCVN3[_letter] = ord(_glyph)


def tcvn3(text: str) -> bytes:
    """Encode Unicode text in TCVN3 (ABC). ValueError on a letter TCVN3 cannot hold."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 0x80:
            out.append(ord(ch))
        elif ch in TCVN3:
            out.append(TCVN3[ch])
        else:
            raise ValueError(f"TCVN3 has no byte for {ch!r} (in {text!r})")
    return bytes(out)


def to_csv(rows: list[dict[str, Any]], line_end: str = "\r\n", delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(
        buf, fieldnames=list(rows[0]), lineterminator=line_end, delimiter=delimiter
    )
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def vn_number(value: float, decimals: int = 2) -> str:
    """12345.5 → '12.345,50' (dot groups thousands, comma is the decimal mark)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip (an .xlsx) with fixed timestamps so the same content gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" on save
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2025-01-15T08:00:00Z", data
                )
            dst.writestr(fixed, data)
    return out.getvalue()


def excel_report(
    *,
    sheet: str,
    titles: list[str],
    header_top: list[tuple[str, int]],
    header_sub: list[str],
    rows: list[list[Any]],
    notes: list[str],
) -> bytes:
    """An .xlsx laid out like a provincial statistics report ("Biểu").

    ``titles`` fill the first rows (merged across the table), then an empty row, then a
    two-row header: ``header_top`` is ``(label, span)`` — span 1 is merged down over both
    header rows, span > 1 is merged across and labelled per column by ``header_sub``; then
    the data, an empty row and the footnotes.
    """
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    width = sum(span for _, span in header_top)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet
    bold = Font(bold=True)
    for r, text in enumerate(titles, start=1):
        ws.cell(r, 1, text).font = bold
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        ws.cell(r, 1).alignment = Alignment(horizontal="center")
    top = len(titles) + 2
    col = 1
    sub = iter(header_sub)
    for label, span in header_top:
        ws.cell(top, col, label).font = bold
        if span == 1:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
        else:
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + span - 1)
            for c in range(col, col + span):
                ws.cell(top + 1, c, next(sub)).font = bold
        col += span
    for r, values in enumerate(rows, start=top + 2):
        for c, value in enumerate(values, start=1):
            ws.cell(r, c, value)
    r = top + 2 + len(rows) + 1
    for note in notes:
        ws.cell(r, 1, note).font = Font(italic=True)
        r += 1
    wb.properties.creator = "Sở Nội vụ tỉnh Quảng Ninh"
    wb.properties.created = wb.properties.modified = dt.datetime(2025, 1, 15, 8, 0, 0)
    buf = io.BytesIO()
    wb.save(buf)
    return reproducible_zip(buf.getvalue())


def _sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def sql_dump(
    table: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], comment: str
) -> str:
    """A plain SQL script (CREATE TABLE + INSERT) as an agency's database export would be."""
    lines = [f"-- {comment}", f"DROP TABLE IF EXISTS {table};", f"CREATE TABLE {table} ("]
    lines.append(",\n".join(f"    {name} {kind}" for name, kind in columns))
    lines.append(");")
    names = ", ".join(name for name, _ in columns)
    for row in rows:
        values = ", ".join(_sql_literal(row[name]) for name, _ in columns)
        lines.append(f"INSERT INTO {table} ({names}) VALUES ({values});")
    return "\n".join(lines) + "\n"
