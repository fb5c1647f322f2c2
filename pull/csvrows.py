"""The records of a normalised CSV, numbered, each with its line when that line can be
copied to the output as it is.

A line ending in LF, with no ``"``, no CR and no more characters than ``csv``'s field size
limit is one record, and ``csv.reader`` reads it as the line split at the delimiter (an
empty line: no cells): such lines are split here, which is cheaper. Every other line goes
to ``csv.reader`` (quoted cells, line breaks inside a cell, the reader's errors), which
takes further lines when a quoted cell goes on.

``csv.writer`` (``lineterminator="\\n"``, the default ``,`` and ``"``) writes cells with no
``,``, ``"``, CR or LF as the cells joined by ``,`` and a LF. So in a file whose delimiter is
``,``, a record split here is written back as its very line: ``write_table`` copies it
(``verbatim``) when it keeps every cell unchanged, instead of writing the cells again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator


class CsvRecords:
    """The records of ``lines``; iterating gives (row number as a spreadsheet shows it: the
    header is row 1, cells) and sets ``verbatim`` and ``joined`` for a record split here
    from a file whose delimiter is ``,`` (else None)."""

    def __init__(self, lines: Iterable[str], delimiter: str) -> None:
        self._lines = iter(lines)
        self._pushed: str | None = None
        self.delimiter = delimiter
        self.line_num = 0  # lines read, as csv.reader counts them (error messages)
        self.reader = csv.reader(self._feed(), delimiter=delimiter)
        #: the last record's line, and its cells joined by "," (the line without its LF)
        self.verbatim: str | None = None
        self.joined: str | None = None

    def _feed(self) -> Iterator[str]:
        """The reader's lines: the one pushed to it, then the next ones of the file."""
        while True:
            line = self._pushed
            if line is None:
                line = next(self._lines, None)
                if line is None:
                    return
                self.line_num += 1
            else:
                self._pushed = None
            yield line

    def _records(self) -> Iterator[list[str]]:
        sep = self.delimiter
        copies = sep == ","
        limit = csv.field_size_limit()
        for line in self._lines:
            self.line_num += 1
            if '"' not in line and line[-1:] == "\n" and "\r" not in line and len(line) <= limit:
                body = line[:-1]
                if copies:
                    self.verbatim, self.joined = line, body
                yield body.split(sep) if body else []
            else:
                self.verbatim = self.joined = None
                self._pushed = line
                row = next(self.reader, None)
                if row is None:
                    return
                yield row

    def header(self) -> list[str] | None:
        return next(self._records(), None)

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        return enumerate(self._records(), start=2)
