"""The normalised table a pull hands on: the value validate and publish receive.

It lives in the core because three stages exchange it; pull produces it (``pull_source``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PulledTable:
    path: Path  # normalised CSV: UTF-8 without BOM, NFC, "\n" line endings
    raw_sha256: str  # sha256 of the bytes as fetched (provenance)
    sha256: str  # sha256 of the normalised file
    size: int  # bytes of the normalised file
    source_uri: str  # file path relative to the catalogue root, or URL (without credentials)
    fetched_at: str  # UTC ISO-8601
    encoding: str  # detected or declared encoding of the raw bytes ("utf-8" for records)
    not_modified: bool = False  # HTTP 304: the source was not downloaded again


@dataclass
class SourceNotes:
    """What pull learnt about the agency's file that validation reports: kept next to the
    normalised CSV as ``<name>.csv.notes.json`` (``notes_path``).

    - ``sheet`` / ``runs``: where each data row of the normalised CSV sits in the agency's
      file, as a spreadsheet numbers rows (header = row 1 of a CSV; the Excel row of an
      .xlsx). ``runs`` holds ``[first output row, first source row, count]`` runs; an empty
      list means the rows were not moved (output row = source row).
    - ``total_rows``: total/subtotal rows ("Tổng cộng"…) left out of the data: ``{"row",
      "label", "declared"}``; ``totals``: sum checks of declared total rows ``{"row",
      "field", "total", "sum"}``.
    - ``trimmed``: cells whose invisible spaces were trimmed, per field.
    """

    sheet: str | None = None
    runs: list[list[int]] = field(default_factory=list)
    total_rows: list[dict[str, Any]] = field(default_factory=list)
    totals: list[dict[str, Any]] = field(default_factory=list)
    trimmed: dict[str, int] = field(default_factory=dict)

    def source_row(self, row: int) -> int:
        """The agency's row number of output row ``row`` (header = 1)."""
        if row < 2 or not self.runs:
            return row
        lo, hi = 0, len(self.runs) - 1
        while lo < hi:  # the last run starting at or before `row`
            mid = (lo + hi + 1) // 2
            if self.runs[mid][0] <= row:
                lo = mid
            else:
                hi = mid - 1
        first, src, count = self.runs[lo]
        return src + (row - first) if first <= row < first + count else row

    def write(self, table: Path) -> Path:
        path = notes_path(table)
        path.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def read(cls, table: Path) -> SourceNotes | None:
        path = notes_path(table)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class RowRuns:
    """Builds ``SourceNotes.runs`` as rows are written: output row n ← source row s."""

    def __init__(self) -> None:
        self.runs: list[list[int]] = []
        self.moved = False

    def add(self, out_row: int, source_row: int) -> None:
        if out_row != source_row:
            self.moved = True
        last = self.runs[-1] if self.runs else None
        if last and last[0] + last[2] == out_row and last[1] + last[2] == source_row:
            last[2] += 1
        else:
            self.runs.append([out_row, source_row, 1])

    def result(self) -> list[list[int]]:
        return self.runs if self.moved else []


def notes_path(table: Path) -> Path:
    return table.with_name(table.name + ".notes.json")
