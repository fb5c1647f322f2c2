"""A release file cut into parts that several sessions COPY at once.

A part ends after a line break outside any quoted cell: in RFC 4180 CSV a quote opens or
closes a quoted cell and a doubled quote inside one counts twice, so a line break with an
even number of quotes before it ends a record. The parts' records, read in order, are the
file's records, and the first part holds the header.
"""

from __future__ import annotations

import itertools
import mmap
from pathlib import Path
from typing import BinaryIO

#: smaller files are copied by one session (the parts would cost more than they save)
MIN_SPLIT_BYTES = 8 << 20


def file_parts(path: Path, parts: int) -> list[tuple[int, int]]:
    """[(start, end)] byte ranges of about equal size, each a run of whole records."""
    size = path.stat().st_size
    if parts <= 1 or size < MIN_SPLIT_BYTES:
        return [(0, size)]
    bounds = [0]
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        counted, quotes = 0, 0  # quotes in data[:counted]
        for k in range(1, parts):
            at = max(size * k // parts, bounds[-1])
            while True:
                newline = data.find(b"\n", at)
                if newline < 0:
                    break
                quotes += data[counted:newline].count(b'"')
                counted = newline
                if quotes % 2 == 0:
                    bounds.append(newline + 1)
                    break
                at = newline + 1  # inside a quoted cell: the next line break
            if newline < 0:
                break
    bounds.append(size)
    return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]


class FileSlice:
    """Bytes ``start`` to ``end`` of a file, read as a stream (what COPY FROM STDIN reads)."""

    def __init__(self, path: Path, start: int, end: int) -> None:
        self._fh: BinaryIO = path.open("rb")
        self._fh.seek(start)
        self._left = end - start

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        wanted = self._left if size is None or size < 0 else min(size, self._left)
        chunk = self._fh.read(wanted)
        self._left -= len(chunk)
        return chunk

    def readline(self) -> bytes:
        line = self._fh.readline(self._left) if self._left > 0 else b""
        self._left -= len(line)
        return line

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> FileSlice:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
