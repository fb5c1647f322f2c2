"""Rows that normalising leaves as they are, recognised by a few whole-row checks at C speed.

Most rows of a large agency CSV are clean already: text cells in NFC, no invisible spaces,
no null marker, no total label. For such a row the per-cell work of ``write_table``
(``cell_converter``, ``tidy``, the total-row test) gives back every cell unchanged, so it
is written as it is (columns picked, the few cells under a text convention converted).
Each check below is a sufficient condition for one step of that per-cell work to leave the
cell unchanged; a row failing any of them takes the per-cell path. The steps, and why the
joined row tells:

- the cells are joined with ``SEP`` (or ``,``: a CSV line), printable, of combining class 0
  and in no canonical decomposition: the joined row is NFC exactly when every cell is;
- ``str.isprintable`` is false for every whitespace character but the space, and for the
  invisible ones ``tidy`` trims or replaces (NBSP, narrow NBSP, figure space, zero-width
  space, BOM; tests/pull/test_plain_rows.py checks it over all of Unicode): with no space
  at a cell's edge, ``tidy`` changes nothing, and with no two spaces in a row
  ``header_key`` (how null markers and total labels are compared) is the cell itself;
- then a cell is a null marker only when it equals one, and the key a total-row test
  compares (NFC, casefolded, spaces collapsed, ``_TRIM`` stripped) is a part of the
  casefolded cell, so a row whose casefolded text holds neither "tổng", "cộng" nor a
  declared ``skip_rows`` marker is no total row (and without one of "ổỔộỘ", the only
  characters whose casefold holds "ổ" or "ộ", it holds neither word);
- a date cell without "00:00" is no ISO midnight timestamp.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from .totals import LABEL_CHARS, LABEL_WORDS, TotalRows, marker_keys

SEP = "|"
#: a space before or after a separator: at the edge of a cell
_EDGES = {sep: (" " + sep, sep + " ") for sep in (SEP, ",")}


class PlainRows:
    """Tells whether a row of ``width`` cells is written unchanged by the per-cell path."""

    def __init__(
        self,
        width: int,
        markers: set[str],
        dates: Sequence[int],
        totals: TotalRows | None,
    ) -> None:
        self.width = width
        self.markers = {m for m in markers if m}  # "" stays "" anyway
        self.dates = list(dates)  # input indexes of the date fields' cells
        self.totals = totals
        self.skip_rows = marker_keys(totals) if totals is not None else ()

    def unchanged(self, row: Sequence[Any], number: int = 0, joined: str | None = None) -> bool:
        """True when every cell of ``row`` (source row ``number``) is already normalised
        and the row is no total row: the per-cell path would write it as it is.
        ``joined``: the cells joined by ``,``, when the caller has it (a CSV line)."""
        if len(row) != self.width:
            return False  # a ragged row
        if joined is None:
            try:
                joined = SEP.join(row)
            except TypeError:  # typed values (a workbook, JSON, SQL)
                return False
            before, after = _EDGES[SEP]
        else:
            before, after = _EDGES[","]
        if (
            not joined.isprintable()
            or "  " in joined
            or before in joined
            or after in joined
            or joined.startswith(" ")
            or joined.endswith(" ")
            or not unicodedata.is_normalized("NFC", joined)
        ):
            return False
        if self.markers and not self.markers.isdisjoint(row):
            return False
        for i in self.dates:
            if "00:00" in row[i]:
                return False
        if self.totals is not None:
            last = self.totals.last_data_row
            if last is not None and number > last:
                return False
            needles = self.skip_rows
            for char in LABEL_CHARS:
                if char in joined:
                    needles += LABEL_WORDS
                    break
            if needles:
                folded = joined.casefold()
                for needle in needles:
                    if needle in folded:
                        return False
        return True
