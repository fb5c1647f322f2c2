"""Total and subtotal rows ("Tổng cộng", "Tổng số", "Cộng", "Tổng") of an agency's table.

Spreadsheets and the CSVs exported from them often end with a sum row, and group rows with
subtotals. Such a row is never data: it is left out of the normalised table and noted
(``SourceNotes.total_rows``) with the row number a spreadsheet shows, so validation reports
it once (``total-row``) unless the spec declares it: ``skip_rows`` markers (the text of one
of its cells), ``excel.last_data_row``. ``check_totals`` names number fields whose declared
total (the last total row) must equal the sum of the data rows.

A row is a total row when one of its first three filled text cells is a marker alone
("Tổng cộng", "TỔNG CỘNG:", "Cộng") or starts with "Tổng cộng" / "Tổng số" followed by a
space or a colon ("Tổng cộng toàn tỉnh"); "Cộng" only alone or before a colon
("Cộng: huyện Tiên Yên"). "Tổng công ty …", "Tổng cục …", "Cộng đồng …" are names, not totals.
"""

from __future__ import annotations

import decimal
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WHOLE = ("tổng cộng", "tổng số", "cộng", "tổng", "tổng chung", "cộng chung")
PREFIX = re.compile(r"^(tổng cộng|tổng số)[\s:(]|^cộng\s*[:(]")
#: every label of ``WHOLE`` and ``PREFIX`` holds one of these (casefolded) ...
LABEL_WORDS = ("tổng", "cộng")
#: ... so a text with none of the characters whose casefold holds "ổ" or "ộ" holds no label
LABEL_CHARS = "ổỔộỘ"
_TRIM = " \t\u00a0:.-–"


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).strip(_TRIM)


def total_label(cells: Sequence[Any]) -> str | None:
    """The marker text when ``cells`` is a total row, else None."""
    texts = [c for c in cells if c is not None and str(c).strip()][:3]
    for cell in texts:
        if not isinstance(cell, str):
            continue
        key = _key(cell)
        if key in WHOLE or PREFIX.match(key + " "):
            return " ".join(cell.split())
    return None


def _declared(cells: Sequence[Any], markers: Sequence[str]) -> str | None:
    wanted = [_key(m) for m in markers]
    for cell in cells:
        if isinstance(cell, str) and cell.strip():
            key = _key(cell)
            if any(key == m or key.startswith(m + " ") for m in wanted):
                return " ".join(cell.split())
    return None


def marker_keys(totals: TotalRows) -> tuple[str, ...]:
    """The declared markers as a cell's key is compared with them."""
    return tuple(_key(m) for m in totals.markers)


@dataclass
class TotalRows:
    """Decides, row by row, what is data; keeps what the notes need."""

    markers: Sequence[str] = ()
    check: Sequence[str] = ()  # output field names
    last_data_row: int | None = None
    found: list[dict[str, Any]] = field(default_factory=list)
    sums: dict[str, decimal.Decimal] = field(default_factory=dict)
    last_total: tuple[int, dict[str, str]] | None = None

    def skip(self, row: int, cells: Sequence[Any]) -> bool:
        """True when source row ``row`` is a total row (or below ``last_data_row``)."""
        declared = _declared(cells, self.markers) if self.markers else None
        label = declared or total_label(cells)
        beyond = self.last_data_row is not None and row > self.last_data_row
        if label is None and not beyond:
            return False
        if label is not None:
            self.found.append({"row": row, "label": label, "declared": bool(declared or beyond)})
        return True

    def add_data(self, values: dict[str, str]) -> None:
        for name in self.check:
            number = _number(values.get(name, ""))
            if number is not None:
                self.sums[name] = self.sums.get(name, decimal.Decimal(0)) + number

    def add_total(self, row: int, values: dict[str, str]) -> None:
        self.last_total = (row, values)

    def checks(self) -> list[dict[str, Any]]:
        """One entry per checked field: the declared total and the rows' sum."""
        if not self.check or self.last_total is None:
            return []
        row, values = self.last_total
        out = []
        for name in self.check:
            total = _number(values.get(name, ""))
            got = self.sums.get(name, decimal.Decimal(0))
            out.append(
                {
                    "row": row,
                    "field": name,
                    "total": None if total is None else _plain(total),
                    "sum": _plain(got),
                    "ok": total is not None and total == got,
                }
            )
        return out


def _number(text: str) -> decimal.Decimal | None:
    try:
        return decimal.Decimal(text.strip()) if text.strip() else None
    except decimal.InvalidOperation:
        return None


def _plain(number: decimal.Decimal) -> str:
    return format(number.normalize(), "f")
