"""Read the table of an agency's .xlsx workbook (openpyxl, read-only: rows are streamed).

The spec says where the table is (``source.excel``): the sheet (name or 1-based index;
default the first), the 1-based ``header_rows`` (one row, or two for a merged two-row
header) and ``first_data_row`` (default: the row after the header). Rows above the header
(title rows: "BÁO CÁO …", "Biểu số 01") and between the header and the data (the column
numbers "(1) (2) (3)" of official forms) are skipped. The data ends at the first fully
empty row, or at a footnote row (one text cell starting "Ghi chú", "Chú thích", "Nguồn",
"*"); everything after it is dropped.

A two-row header is joined as ``"<top> / <bottom>"``: "Số giường / Kế hoạch". A cell
merged across columns in the top row is, in the file, the top-left cell only; every empty
top cell over a non-empty bottom cell continues the group to its left, and a top cell
merged down over both rows ("Tên cơ sở") stands alone. Map the joined labels to field names
under ``conventions.columns``.

Cells keep their types (numbers, dates, booleans) and are written canonically; formulas give
the value Excel last computed (a workbook never opened in Excel after a formula was written
has no such value: the cell reads empty).
"""

from __future__ import annotations

import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.catalog.sources import ExcelTable, header_key
from dulieumo.errors import SourceError

from .output import Field, expected_list

if TYPE_CHECKING:
    from dulieumo.catalog import Conventions

FOOTNOTES = ("ghi chú", "chú thích", "nguồn", "*", "(*)", "lưu ý")
HEAD_ROWS = 40  # rows searched for the real header when it is not where declared
JOIN = " / "


@dataclass
class Sheet:
    labels: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (Excel row number, cells)
    where: str  # "<label>, sheet 'Biểu 01', header row 5"
    book: Any = None
    name: str = ""  # the sheet's name

    def close(self) -> None:
        if self.book is not None:
            _close(self.book)
            self.book = None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    return "" if _blank(value) else header_key(str(value))


def join_header(rows: Sequence[Sequence[Any]]) -> list[str]:
    """One or two header rows → one label per column (see the module doc)."""
    width = max((i + 1 for row in rows for i, v in enumerate(row) if not _blank(v)), default=0)
    if len(rows) == 1:
        return [_text(rows[0][i]) if i < len(rows[0]) else "" for i in range(width)]
    top = [_text(rows[0][i]) if i < len(rows[0]) else "" for i in range(width)]
    bottom = [_text(rows[1][i]) if i < len(rows[1]) else "" for i in range(width)]
    labels = []
    group = ""
    for t, b in zip(top, bottom, strict=True):
        if t:
            group = t
        elif b:
            t = group  # under a top cell merged across columns
        if t and b and t != b:
            labels.append(f"{t}{JOIN}{b}")
        else:
            labels.append(t or b)
    return labels


def is_footnote(row: Sequence[Any]) -> bool:
    filled = [v for v in row if not _blank(v)]
    return (
        len(filled) == 1
        and isinstance(filled[0], str)
        and unicodedata.normalize("NFC", filled[0]).strip().casefold().startswith(FOOTNOTES)
    )


def _shown(row: Sequence[Any], limit: int = 6) -> str:
    cells = [repr(_text(v)) for v in row if not _blank(v)]
    if not cells:
        return "an empty row"
    more = f", … ({len(cells)} cells)" if len(cells) > limit else ""
    return ", ".join(cells[:limit]) + more


_HANDLES: dict[int, Any] = {}


def _close(book: Any) -> None:
    book.close()
    fh = _HANDLES.pop(id(book), None)
    if fh is not None:
        fh.close()


def _open(path: Path, label: str) -> Any:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    fh = path.open("rb")  # a file object: openpyxl would refuse a name not ending in .xlsx
    try:
        book = load_workbook(fh, read_only=True, data_only=True)
        _HANDLES[id(book)] = fh
        return book
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        fh.close()
        with path.open("rb") as fh:
            head = fh.read(8)
        what = (
            "the file is empty"
            if not head
            else (
                "it is an old .xls workbook (Excel 97-2003)"
                if head.startswith(b"\xd0\xcf\x11\xe0")
                else f"it is not an .xlsx workbook ({type(exc).__name__})"
            )
        )
        raise SourceError(
            f"{label}: cannot read the workbook: {what}.",
            hint='Ask the agency to save it as "Excel Workbook (.xlsx)", or '
            "declare `format: csv` if it is a CSV file.",
        ) from None


def read_xlsx(
    path: Path,
    excel: ExcelTable | None,
    fields: Sequence[Field],
    conventions: Conventions | None,
    label: str,
) -> Sheet:
    """The header labels and a stream of data rows of the declared table."""
    excel = excel or ExcelTable()
    book = _open(path, label)
    names = list(book.sheetnames)
    if excel.sheet is None:
        sheet_name = names[0]
    elif isinstance(excel.sheet, int):
        if excel.sheet > len(names):
            _close(book)
            raise SourceError(
                f"{label}: the workbook has {len(names)} sheet(s), not "
                f"{excel.sheet} (sheets: {', '.join(names)}).",
                hint="Fix `source.excel.sheet` in the dataset spec.",
            )
        sheet_name = names[excel.sheet - 1]
    else:
        wanted = header_key(excel.sheet).casefold()
        found = [n for n in names if header_key(n).casefold() == wanted]
        if not found:
            _close(book)
            raise SourceError(
                f"{label}: the workbook has no sheet '{excel.sheet}' "
                f"(sheets: {', '.join(repr(n) for n in names)}).",
                hint="Fix `source.excel.sheet` in the dataset spec (a name or a 1-based number).",
            )
        sheet_name = found[0]
    where = f"{label}, sheet '{sheet_name}'"
    rows_iter = book[sheet_name].iter_rows(values_only=True)
    first_header, last_header = excel.header_rows[0], excel.header_rows[-1]
    head: list[tuple[Any, ...]] = []
    for row in rows_iter:
        head.append(row)
        if len(head) >= max(HEAD_ROWS, last_header):
            break
    header_rows = [head[r - 1] if r <= len(head) else () for r in excel.header_rows]
    labels = join_header(header_rows)
    rows_at = (
        f"row {first_header}"
        if len(excel.header_rows) == 1
        else f"rows {first_header}-{last_header}"
    )
    _check_header(
        labels, header_rows, head, excel, fields, conventions, f"{where}, {rows_at}", book
    )

    def data() -> Iterator[tuple[int, list[Any]]]:
        width = len(labels)
        number = 0
        try:
            for number, row in enumerate(_chain(head, rows_iter), start=1):
                if number < excel.data_row:
                    continue
                if all(_blank(v) for v in row) or is_footnote(row):
                    return
                cells = list(row[:width])
                extra = [v for v in row[width:] if not _blank(v)]
                yield number, cells + ([None] * (width - len(cells))) + extra
        finally:
            _close(book)

    return Sheet(labels, data(), f"{where}, {rows_at}", book, sheet_name)


def _chain(
    head: list[tuple[Any, ...]], rest: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    yield from head
    yield from rest


_MOVED_HINT = (
    "Sửa `source.excel.header_rows` (và `first_data_row` nếu có) trong tệp đặc tả theo số dòng "
    "Excel hiển thị, hoặc hỏi cơ quan vì sao mẫu biểu đổi. Chưa công bố gì."
)


def _score(labels: Sequence[str], known: set[str]) -> tuple[int, int]:
    """(labels that are known, non-empty labels that are not)."""
    filled = [lab for lab in labels if lab]
    hits = sum(1 for lab in filled if lab in known)
    return hits, len(filled) - hits


def _span(rows: Sequence[int]) -> str:
    return f"dòng {rows[0]}–{rows[-1]}" if len(rows) > 1 else f"dòng {rows[0]}"


def _moved_header(
    head: list[tuple[Any, ...]], excel: ExcelTable, known: set[str], declared: tuple[int, int]
) -> str | None:
    """When the declared rows hold only part of the header and other rows hold all of it (the
    agency added a row above the table): the message saying where the header is now."""
    width = len(excel.header_rows)
    for r in range(1, len(head) + 1):
        rows = list(range(r, r + width))
        if rows == list(excel.header_rows) or rows[-1] > len(head):
            continue
        hits, unknown = _score(join_header([head[i - 1] for i in rows]), known)
        if unknown == 0 and hits > declared[0]:
            shift = rows[0] - excel.header_rows[0]
            data = excel.data_row + shift
            return (
                f"Dòng tiêu đề của bảng có vẻ nay nằm ở {_span(rows)}; lần trước (khai báo "
                f"`header_rows: {list(excel.header_rows)}`) ở {_span(excel.header_rows)}: "
                f"mẫu biểu đã dời {abs(shift)} dòng {'xuống' if shift > 0 else 'lên'}. Khai báo "
                f"`header_rows: {rows}` và `first_data_row: {data}` nếu đúng là vậy."
            )
    return None


def _check_header(
    labels: list[str],
    header_rows: Sequence[Sequence[Any]],
    head: list[tuple[Any, ...]],
    excel: ExcelTable,
    fields: Sequence[Field],
    conventions: Conventions | None,
    where: str,
    book: Any,
) -> None:
    """The declared header row must hold the header: some label a field or a mapped name."""
    known = {header_key(f.name) for f in fields} | {
        header_key(k) for k in (conventions.columns if conventions else {})
    }
    if not known:
        if labels:
            return
        _close(book)
        raise SourceError(
            f"{where}: the header row is empty.",
            hint="Set `source.excel.header_rows` to the row(s) holding the column names.",
        )
    if any(lab in known for lab in labels):
        if conventions is None or not conventions.columns:
            return
        declared = _score(labels, known)
        if declared[1] == 0:
            return  # every label at the declared rows is known: the header is there
        moved = _moved_header(head, excel, known, declared)
        if moved is None:
            return  # resolve_header names the unknown columns
        _close(book)
        raise SourceError(f"{where}: {moved}", hint=_MOVED_HINT)
    found = "; ".join(
        f"row {r}: {_shown(row)}" for r, row in zip(excel.header_rows, header_rows, strict=True)
    )
    guess = ""
    for single in (True, False):
        for r in range(1, len(head) + 1):
            rows = [head[r - 1]] if single else [head[r - 1], head[r]] if r < len(head) else []
            if rows and any(lab in known for lab in join_header(rows)):
                guess = (
                    f" The header seems to be at row {r}: declare `header_rows: [{r}]`."
                    if single
                    else f" The header seems to be at rows {r}-{r + 1}: "
                    f"declare `header_rows: [{r}, {r + 1}]`."
                )
                break
        if guess:
            break
    _close(book)
    expected = expected_list(fields) if fields else ", ".join(sorted(known))
    raise SourceError(
        f"{where}: the table's header is not there. Found {found}. Expected the column names "
        f"(fields: {expected}).{guess}",
        hint="Fix `source.excel.header_rows` (1-based, as Excel numbers rows) in the dataset "
        "spec, and `conventions.columns` for headers that differ from the field names.",
    )
