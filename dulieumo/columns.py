"""A cap on the number of columns of an input table, relative to its schema.

A hostile or broken file can carry a header of hundreds of thousands of columns (a 7 MB CSV
of 900,000 labels grew a reader past 9 GB). The header is counted from the bytes, in bounded
chunks and stopping as soon as the cap is passed, before any reader builds columns for it.
"""

from __future__ import annotations

from pathlib import Path

CHUNK = 1 << 16


def column_cap(fields: int) -> int:
    """The most columns accepted for a schema of `fields` fields: twice the schema, and at
    least 50 more than it (room for an agency's extra columns, which validation reports)."""
    return max(2 * fields, fields + 50)


def header_width(path: Path, delimiter: str = ",") -> int:
    """The number of cells of the file's first record (quoted delimiters and line breaks
    respected), read in chunks of 64 KB: memory stays bounded whatever the header's size.
    Works on UTF-8 and the ASCII-compatible codes agencies use (Windows-1258, TCVN3)."""
    sep = delimiter.encode("ascii")
    cells, quoted, seen = 1, False, False
    with Path(path).open("rb") as fh:
        while chunk := fh.read(CHUNK):
            seen = True
            if not quoted and b'"' not in chunk:  # the common case, at C speed
                end = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
                if end >= 0:
                    return cells + chunk.count(sep, 0, end)
                cells += chunk.count(sep)
                continue
            for byte in chunk:
                if byte == 34:  # "
                    quoted = not quoted
                elif quoted:
                    continue
                elif byte == sep[0]:
                    cells += 1
                elif byte in (10, 13):
                    return cells
    return cells if seen else 0


def too_many_columns(path: Path, fields: int, delimiter: str = ",") -> tuple[int, int] | None:
    """(columns in the header, cap) when the header has more columns than the cap."""
    if fields <= 0:
        return None
    cap = column_cap(fields)
    width = header_width(path, delimiter)
    return (width, cap) if width > cap else None
