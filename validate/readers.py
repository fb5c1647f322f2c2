"""The three ways a CSV is read, every column as strings: whole and fast (``pyarrow.csv``),
row by row when some rows have too many or too few cells (each one is named), and in batches
for big files (``pyarrow.csv.open_csv``, see table.check_table_stream)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from .findings import Finding, Report
from .messages import message

BLOCK_SIZE = 16 << 20
READ_BLOCK = 2 << 20  # pyarrow block when streaming (see check_table_stream)


class Ragged(Exception):
    """Some rows have more or fewer cells than the header."""


def _options(names: list[str], block_size: int, ragged: list[int]) -> dict[str, Any]:
    """pyarrow's options for reading every column as strings (empty is "", never null); a
    row of the wrong width is skipped and counted in `ragged`."""

    def on_invalid(row: Any) -> str:  # exceptions raised here are swallowed by pyarrow
        ragged.append(1)
        return "skip"

    return {
        "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=block_size),
        "parse_options": pacsv.ParseOptions(
            invalid_row_handler=on_invalid, newlines_in_values=True, ignore_empty_lines=False
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    }


def read_fast(path: Path, names: list[str]) -> pa.Table:
    """The whole file at once; Ragged when a row has more or fewer cells than the header."""
    ragged: list[int] = []
    table = pacsv.read_csv(path, **_options(names, BLOCK_SIZE, ragged))
    if ragged:
        raise Ragged()
    return table


def open_stream(
    path: Path, names: list[str], block_size: int, ragged: list[int]
) -> pacsv.CSVStreamingReader:
    """Batches of the file; a ragged row is counted in `ragged` (known once its block is
    read). pyarrow's streaming reader decodes ~20 blocks ahead of the consumer: small blocks
    keep that bounded (~50 MB); the caller gathers them into batches of `block_size` bytes."""
    return pacsv.open_csv(path, **_options(names, min(READ_BLOCK, block_size), ragged))


def read_ragged(
    path: Path, names: list[str], header: list[str], report: Report, file: str
) -> pa.Table:
    """Rows with too many or too few cells: read row by row to name each one exactly.

    A missing cell is null (and reported once per cell, like frictionless); extra cells are
    reported once per row. An empty line is a row of empty cells (a blank row)."""
    width = len(names)
    cols: list[list[str | None]] = [[] for _ in names]
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM is not a label
        reader = csv.reader(fh)
        next(reader, None)
        for row_number, row in enumerate(reader, start=2):
            n = len(row)
            if n == 0:
                row = [""] * width
            elif n > width:
                report.add(
                    Finding(
                        "extra-cell",
                        message("extra-cell", row=row_number, n=n, width=width),
                        file=file,
                        row=row_number,
                        value=",".join(row[width:])[:200],
                        details={"cells": n, "expected": width},
                    )
                )
            elif n < width:
                for i in range(n, width):
                    label = header[i] or f"#{i + 1}"
                    report.add(
                        Finding(
                            "missing-cell",
                            message("missing-cell", row=row_number, n=n, width=width, field=label),
                            file=file,
                            row=row_number,
                            field=header[i] or None,
                            details={"cells": n, "expected": width},
                        )
                    )
            for i in range(width):
                cols[i].append(row[i] if i < len(row) else None)
    return pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, cols, strict=True)})


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (used by tests and the bench)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()
