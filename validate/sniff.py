"""Before reading a CSV: is it text at all, are its lines of a sane length, what is its header
and does the header match the schema. Each problem becomes one finding naming where it is."""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from dulieumo.columns import too_many_columns

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema

SNIFF_BYTES = 1 << 16


MAX_LINE_BYTES = 8 << 20  # a CSV line (record) longer than this is a broken file
csv.field_size_limit(MAX_LINE_BYTES)


def encoding_problem(path: Path) -> tuple[int, int, str] | None:
    """(byte offset, line, what) of the first NUL byte or invalid UTF-8 sequence, if any."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    line = 1
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            nul = chunk.find(b"\x00")
            try:
                decoder.decode(chunk if nul < 0 else chunk[:nul])
            except UnicodeDecodeError as exc:
                bad = offset + exc.start
                return bad, line + chunk[: exc.start].count(b"\n"), "utf-8"
            if nul >= 0:
                return offset + nul, line + chunk[:nul].count(b"\n"), "nul"
            line += chunk.count(b"\n")
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset, line, "utf-8"
    return None


def find_long_line(path: Path, limit: int = MAX_LINE_BYTES) -> tuple[int, int] | None:
    """(line number, byte offset) of the first line longer than `limit` bytes, read in 1 MB
    chunks (bounded memory whatever the file)."""
    run = 0  # bytes since the last newline
    line = 1
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            first = chunk.find(b"\n")
            if first < 0:
                run += len(chunk)
            else:
                if run + first > limit:
                    return line, offset - run
                line += chunk.count(b"\n")
                run = len(chunk) - chunk.rfind(b"\n") - 1
            if run > limit:
                return line, offset + len(chunk) - run
            offset += len(chunk)
    return None


def encoding_finding(path: Path, file: str, problem: tuple[int, int, str]) -> Finding:
    offset, line, what = problem
    code = "binary-file" if what == "nul" else "encoding-error"
    return Finding(
        code,
        message(code, offset=offset, line=line),
        file=file,
        details={"byte_offset": offset, "line": line},
    )


def read_header(path: Path) -> list[str] | None:
    """The first record of the file (None if the file has no record at all)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM is not a label
        for row in csv.reader(fh):
            return row
    return None


def column_names(header: list[str]) -> list[str]:
    """Unique, non-empty names for pyarrow (blank and repeated labels renamed)."""
    names: list[str] = []
    seen: set[str] = set()
    for i, label in enumerate(header):
        name = label if label else f"__blank_{i + 1}"
        while name in seen:
            name = f"{name}__{i + 1}"
        seen.add(name)
        names.append(name)
    return names


def open_table(
    path: Path, schema: TableSchema, report: Report, file: str
) -> tuple[list[str], list[str], bool] | None:
    """(header, column names for pyarrow, header matches the schema), or None (with a
    finding) when the file cannot be read as CSV at all."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"\x00" in head:
        report.add(
            encoding_finding(
                path,
                file,
                (head.index(b"\x00"), head[: head.index(b"\x00")].count(b"\n") + 1, "nul"),
            )
        )
        return None
    long_line = find_long_line(path)
    if long_line is not None:
        line, offset = long_line
        report.add(
            Finding(
                "line-too-long",
                message("line-too-long", line=line, limit_mb=MAX_LINE_BYTES >> 20),
                file=file,
                row=line,
                details={"line": line, "byte_offset": offset, "limit_bytes": MAX_LINE_BYTES},
            )
        )
        return None
    wide = too_many_columns(path, len(schema.fields))
    if wide:  # before the header is read into memory (dulieumo.columns)
        error = f"dòng tiêu đề có {wide[0]:,} cột, lược đồ chỉ có {len(schema.fields)} trường"
        report.add(Finding("source-error", message("source-error", error=error), file=file))
        return None
    try:
        header = read_header(path)
    except UnicodeDecodeError:
        problem = encoding_problem(path)
        report.add(encoding_finding(path, file, problem or (0, 1, "utf-8")))
        return None
    if not header:
        report.add(Finding("blank-table", message("blank-table"), file=file))
        return None
    return header, column_names(header), check_header(header, schema, report, file)


def check_header(header: list[str], schema: TableSchema, report: Report, file: str) -> bool:
    """Findings for blank, duplicate, missing and extra labels; True when there are none."""
    problems: list[str] = []

    def label(code: str, position: int | None = None, field: str | None = None) -> None:
        problems.append(code)
        values = {"position": position} if field is None else {"field": field}
        report.add(
            Finding(
                code,
                message(code, **values),
                file=file,
                row=1,
                field=field,
                details={"position": position} if position is not None else {},
            )
        )

    names = set(schema.names)
    for i, name in enumerate(header, start=1):
        if not name.strip():
            label("blank-label", position=i)
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        if name and name in seen:
            label("duplicate-label", position=i, field=name)
        seen.add(name)
    for name in schema.names:
        if name not in seen:
            label("missing-label", field=name)
    for i, name in enumerate(header, start=1):
        if name.strip() and name not in names:
            label("extra-label", position=i, field=name)
    return not problems


def unreadable(path: Path, report: Report, file: str, exc: Exception) -> None:
    problem = encoding_problem(path)
    if problem is None:
        report.add(
            Finding("source-error", message("source-error", error=str(exc)[:300]), file=file)
        )
    else:
        report.add(encoding_finding(path, file, problem))
