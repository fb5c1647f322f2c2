"""Table Schema checks, vectorised with pyarrow.

The file is read once, every column as strings (``pyarrow.csv``); each field is then checked
column-wise with ``pyarrow.compute`` (missing values, types, formats, constraints), then the
primary key, unique fields and foreign keys to code lists.

The rules follow what ``frictionless validate`` (5.21) does, so both report the same cells:

- fields are matched to the header by *name* (frictionless with ``schema_sync``);
- a cell in ``missingValues`` is null; a null in a required field is ``constraint-required``;
- a cell that does not parse is a ``type-error`` and is not checked against constraints; it
  counts as null for unique, primary and foreign keys;
- a row whose cells are all null is a ``blank-row`` and nothing else is reported for it except
  its primary key (frictionless reports an all-null primary key);
- ``unique`` ignores nulls; the primary key compares whole tuples, nulls included, and an
  all-null key is an error; a foreign key whose cells are all null is skipped;
- number/integer parsing follows Python's ``int``/``Decimal`` (surrounding spaces, ``1_000``),
  dates Python's ``strptime`` (``2024-1-5`` is a valid default date; 31/02 is not).

One deliberate difference: ``pattern`` must match the whole value, as the Table Schema spec
says (frictionless wraps it as ``^pattern$``, so ``a|b`` there only anchors the ends).
"""

from __future__ import annotations

import _strptime  # the regular expressions Python's own strptime uses
import codecs
import csv
import io
import os
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dulieumo.columns import too_many_columns

from .findings import Finding, Report
from .messages import message
from .schema import FieldSpec, TableSchema

_DIGITS = r"[0-9]+(?:_[0-9]+)*"
INT_RE = rf"^\s*[+-]?{_DIGITS}\s*$"
NUM_RE = (
    rf"^\s*[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
    r"|(?i:inf|infinity|s?nan[0-9]*))\s*$"
)
YEAR_RE = rf"^\s*\+?{_DIGITS}\s*$"
DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)
BLOCK_SIZE = 16 << 20
SNIFF_BYTES = 1 << 16
READ_BLOCK = 2 << 20  # pyarrow block when streaming (see check_table_stream)
MAX_LINE_BYTES = 8 << 20  # a CSV line (record) longer than this is a broken file
csv.field_size_limit(MAX_LINE_BYTES)
_NULL_STR = pa.scalar(None, pa.string())


@dataclass
class CheckedTable:
    """The table as read, with what the checks learnt (reused to type it for the suite)."""

    table: pa.Table  # schema fields as strings (missing values and absent fields: null)
    valid: dict[str, pa.Array] = field(default_factory=dict)  # present and of the right type
    typed: dict[str, pa.Array] = field(default_factory=dict)  # typed values, null if invalid
    header: list[str] = field(default_factory=list)
    structure_ok: bool = True  # header matches the schema, the file could be read
    rows: int | None = None  # rows of the file when `table` does not hold them (streamed)

    @property
    def num_rows(self) -> int:
        return self.table.num_rows if self.rows is None else self.rows


# --------------------------------------------------------------------------- reading


def _encoding_problem(path: Path) -> tuple[int, int, str] | None:
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


def _long_line(path: Path, limit: int = MAX_LINE_BYTES) -> tuple[int, int] | None:
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


def _encoding_finding(path: Path, file: str, problem: tuple[int, int, str]) -> Finding:
    offset, line, what = problem
    code = "binary-file" if what == "nul" else "encoding-error"
    return Finding(
        code,
        message(code, offset=offset, line=line),
        file=file,
        details={"byte_offset": offset, "line": line},
    )


def _header(path: Path) -> list[str] | None:
    """The first record of the file (None if the file has no record at all)."""
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM is not a label
        for row in csv.reader(fh):
            return row
    return None


def _column_names(header: list[str]) -> list[str]:
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


class _Ragged(Exception):
    """Some rows have more or fewer cells than the header."""


def _read_fast(path: Path, names: list[str]) -> pa.Table:
    ragged: list[int] = []

    def on_invalid(row: Any) -> str:  # exceptions raised here are swallowed by pyarrow
        ragged.append(1)
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            invalid_row_handler=on_invalid, newlines_in_values=True, ignore_empty_lines=False
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    if ragged:
        raise _Ragged()
    return table


def _read_ragged(
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


# --------------------------------------------------------------------------- typing


def _matches(column: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def _if(mask: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(mask, values, pa.scalar(None, values.type))


def _number_text(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    """Text Python's Decimal()/int() would read, as frictionless prepares it; (text, ok)."""
    text = pc.utf8_trim_whitespace(column)
    ok = pc.is_valid(text)
    if not spec.bare_number:
        text = pc.replace_substring_regex(text, r"^[^-0-9]*", "")
        text = pc.replace_substring_regex(text, r"[^0-9]*$", "")
    if spec.type == "number" and spec.number_processed:
        if spec.group_char:
            text = pc.replace_substring(text, spec.group_char, "")
        if spec.decimal_char != ".":
            ok = pc.and_(ok, pc.invert(pc.match_substring(text, ".")))
            text = pc.replace_substring(text, spec.decimal_char, ".")
    return text, ok


def _strptime_shape(fmt: str) -> str:
    """The regular expression Python's strptime matches for `fmt` (RE2-compatible)."""
    pattern: str = _strptime._TimeRE_cache.pattern(fmt)
    return f"^(?i:{pattern})$"


def _parse_dates(column: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array]:
    """(ok, timestamps): the text has strptime's shape and names a real calendar day.

    pyarrow's strptime rolls 31/02 over to 02/03 (Python's rejects it), so the day of month
    in the text is compared with the parsed day (formatting back with strftime is ~20x
    slower)."""
    try:
        shape_rx = _strptime_shape(fmt)
        shape = _matches(column, shape_rx)
    except (pa.ArrowInvalid, re.error, KeyError, ValueError):
        shape_rx, shape = "", pc.is_valid(column)
    text = _if(shape, column)
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    ok = pc.and_(shape, pc.is_valid(parsed))
    ok = pc.fill_null(ok, False)
    if shape_rx and "%d" in fmt:
        ok = pc.and_(ok, pc.invert(_rolled_over(text, parsed, fmt)))
    return ok, _if(ok, parsed)


def _rolled_over(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Rows whose day of month in the text is not the parsed day (31/02 → 02/03). A rolled
    date lands on day 1-3 of the next month, so only those rows are looked at again."""
    parsed_day = pc.day(parsed)
    candidates = pc.indices_nonzero(pc.fill_null(pc.less_equal(parsed_day, 3), False))
    bad = np.zeros(len(text), dtype=bool)
    if len(candidates):
        prefix = _strptime._TimeRE_cache.pattern(fmt[: fmt.index("%d") + 2])
        parts = pc.extract_regex(pc.take(text, candidates), f"^(?i:{prefix})")
        day = pc.cast(pc.utf8_trim_whitespace(pc.struct_field(parts, "d")), pa.int64())
        differs = pc.fill_null(pc.not_equal(day, pc.take(parsed_day, candidates)), False)
        bad[pc.filter(candidates, differs).to_numpy()] = True
    return pa.array(bad)


def typed_column(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    """(ok, typed): ok is true where the value is present and of the field's type; typed holds
    the values with the field's type (null where absent or invalid)."""
    t = spec.type
    present = pc.is_valid(column)
    if t in ("string", "any"):
        return present, column
    if t in ("integer", "number") and not spec.number_processed:
        # most cells are plain ("12", "-3.5"): cast those at once; only the others go through
        # the slower Python-compatible path (spaces, 1_000, 1e3, nan...)
        out_type = pa.int64() if t == "integer" else pa.float64()
        try:  # a clean column (the usual case) casts in one go, no regular expression
            typed = pc.cast(column, out_type)
            # pyarrow reads "0x1F" as an integer, Python's int() does not
            if (
                t == "number"
                or not pc.any(pc.match_substring(column, "x", ignore_case=True)).as_py()
            ):
                return present, typed
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        simple_rx = r"^-?[0-9]{1,18}$" if t == "integer" else r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
        simple = _matches(column, simple_rx)
        typed = pc.cast(_if(simple, column), out_type)
        rest = pc.and_(present, pc.invert(simple))
        if not pc.any(rest).as_py():
            return simple, typed
        rest_ok, rest_typed = _typed_slow(pc.filter(column, rest), spec)
        ok = pc.replace_with_mask(simple, rest, rest_ok)
        return ok, pc.replace_with_mask(typed, rest, pc.cast(rest_typed, out_type))
    return _typed_slow(column, spec)


def _typed_slow(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    t = spec.type
    present = pc.is_valid(column)
    if t in ("integer", "year"):
        text, ok = _number_text(column, spec) if t == "integer" else (column, present)
        ok = pc.and_(ok, _matches(text, YEAR_RE if t == "year" else INT_RE))
        if t == "year":
            ok = pc.and_(ok, pc.equal(pc.utf8_length(column), 4))
        clean = pc.replace_substring(pc.utf8_trim_whitespace(_if(ok, text)), "_", "")
        clean = pc.replace_substring_regex(clean, r"^\+", "")  # pyarrow rejects "+1"
        return ok, pc.cast(clean, pa.int64())
    if t == "number":
        text, ok = _number_text(column, spec)
        ok = pc.and_(ok, _matches(text, NUM_RE))
        clean = pc.replace_substring(pc.utf8_trim_whitespace(_if(ok, text)), "_", "")
        clean = pc.replace_substring_regex(clean, r"(?i)^([+-]?)s?nan[0-9]*$", r"\1nan")
        return ok, pc.cast(clean, pa.float64())
    if t == "boolean":
        true_set = pa.array(list(spec.true_values), pa.string())
        false_set = pa.array(list(spec.false_values), pa.string())
        trues = pc.fill_null(pc.is_in(column, value_set=true_set), False)
        falses = pc.fill_null(pc.is_in(column, value_set=false_set), False)
        ok = pc.or_(trues, falses)
        return ok, _if(ok, trues)
    if t == "date":
        fmt = "%Y-%m-%d" if spec.format in ("default", "any") else spec.format
        ok, parsed = _parse_dates(column, fmt)
        return ok, pc.cast(parsed, pa.date32())
    if t == "datetime":
        if spec.format in ("default", "any"):
            shape = _matches(column, DATETIME_RE)
            naive = pc.replace_substring(
                pc.utf8_slice_codeunits(_if(shape, column), 0, 19), " ", "T"
            )
            return _parse_dates(naive, "%Y-%m-%dT%H:%M:%S")
        return _parse_dates(column, spec.format)
    return present, column


def scalar_for(spec: FieldSpec, value: Any) -> Any:
    """A constraint value (minimum, enum item...) typed like the field's cells."""
    if spec.type in ("integer", "year"):
        return pa.scalar(int(value), pa.int64())
    if spec.type == "number":
        return pa.scalar(float(value), pa.float64())
    if spec.type == "boolean":
        if isinstance(value, bool):
            return pa.scalar(value, pa.bool_())
        if str(value) in spec.true_values:
            return pa.scalar(True, pa.bool_())
        return pa.scalar(False if str(value) in spec.false_values else None, pa.bool_())
    if spec.type in ("date", "datetime"):
        typed = typed_column(pa.array([str(value)], pa.string()), spec)[1][0]
        if not typed.is_valid and spec.format not in ("default", "any"):  # ISO accepted too
            iso = FieldSpec(spec.name, spec.type)
            typed = typed_column(pa.array([str(value)], pa.string()), iso)[1][0]
            if spec.type == "date":
                typed = pc.cast(typed, pa.date32())
        return typed
    return pa.scalar(str(value), pa.string())


# --------------------------------------------------------------------------- findings


def _rows(mask: pa.Array, limit: int, offset: int = 0) -> list[int]:
    """Row numbers (header = row 1) of the first `limit` rows where mask is true; `offset`
    rows of the file come before this batch."""
    idx = pc.indices_nonzero(mask)
    return [i + 2 + offset for i in idx.slice(0, limit).to_pylist()]


def _emit(
    report: Report,
    code: str,
    column: pa.Array,
    mask: pa.Array,
    spec: FieldSpec,
    file: str,
    offset: int = 0,
    **extra: Any,
) -> None:
    mask = pc.fill_null(mask, False)
    total = pc.sum(pc.cast(mask, pa.int64())).as_py() or 0
    if not total:
        return
    rows = _rows(mask, report.cap, offset)
    values = pc.filter(column, mask).slice(0, report.cap).to_pylist()
    details = dict(extra)
    if code == "type-error":
        details |= {"type": spec.type, "format": spec.format}
    samples = [
        Finding(
            code,
            message(
                code, row=r, field=spec.name, value=v, type=spec.type, format=spec.format, **extra
            ),
            file=file,
            row=r,
            field=spec.name,
            value=v,
            details=details,
        )
        for r, v in zip(rows, values, strict=True)
    ]
    report.add_count(code, "error", total, samples)


Check = tuple[str, pa.Array, dict[str, Any]]  # (code, mask of bad rows, message values)


def _constraints(column: pa.Array, typed: pa.Array, ok: pa.Array, spec: FieldSpec) -> list[Check]:
    """Constraint failures of the cells that are present and of the right type."""
    out: list[Check] = []
    c = spec.constraints
    t = spec.type
    if "enum" in c:
        allowed = [scalar_for(spec, v) for v in c["enum"]]
        value_set = pa.array([a.as_py() for a in allowed], typed.type)
        bad = pc.invert(pc.fill_null(pc.is_in(typed, value_set=value_set), False))
        out.append(
            ("constraint-enum", pc.and_(ok, bad), {"allowed": ", ".join(str(v) for v in c["enum"])})
        )
    if t in ("integer", "number", "year", "date", "datetime"):
        for key, code, op in (
            ("minimum", "constraint-minimum", pc.less),
            ("maximum", "constraint-maximum", pc.greater),
            ("exclusiveMinimum", "constraint-exclusive-minimum", pc.less_equal),
            ("exclusiveMaximum", "constraint-exclusive-maximum", pc.greater_equal),
        ):
            if key in c:
                bound = scalar_for(spec, c[key])
                out.append((code, pc.and_(ok, op(typed, bound)), {"bound": c[key]}))
    if t == "string":
        if "minLength" in c or "maxLength" in c:
            length = pc.utf8_length(column)
            if "minLength" in c:
                out.append(
                    (
                        "constraint-min-length",
                        pc.and_(ok, pc.less(length, c["minLength"])),
                        {"bound": c["minLength"]},
                    )
                )
            if "maxLength" in c:
                out.append(
                    (
                        "constraint-max-length",
                        pc.and_(ok, pc.greater(length, c["maxLength"])),
                        {"bound": c["maxLength"]},
                    )
                )
        if "pattern" in c:
            out.append(
                (
                    "constraint-pattern",
                    pc.and_(ok, pc.invert(_full_match(column, c["pattern"]))),
                    {"pattern": c["pattern"]},
                )
            )
    return out


def _field_checks(
    spec: FieldSpec, col: pa.Array, present: pa.Array, filled: pa.Array
) -> tuple[pa.Array, pa.Array, list[Check]]:
    """Everything about one field: (ok, typed values, failed checks). Pure pyarrow compute,
    which releases the GIL, so fields are checked in parallel threads."""
    checks: list[Check] = []
    if spec.required:
        checks.append(("constraint-required", pc.and_(filled, pc.invert(present)), {}))
    ok, values = typed_column(col, spec)
    checks.append(("type-error", pc.and_(pc.is_valid(col), pc.invert(ok)), {}))
    checks += _constraints(col, values, ok, spec)
    if spec.constraints.get("unique"):
        checks.append(("unique-error", pc.and_(ok, _not_first([values])), {}))
    return ok, values, checks


def _full_match(column: pa.Array, pattern: str) -> pa.Array:
    try:
        return _matches(column, f"^(?:{pattern})$")
    except pa.ArrowInvalid:  # a construct RE2 lacks (look-around...): Python's re, row by row
        rx = re.compile(f"(?:{pattern})")
        return pa.array(
            [v is None or rx.fullmatch(v) is not None for v in column.to_pylist()], pa.bool_()
        )


def _codes(column: pa.Array) -> tuple[np.ndarray, int]:
    """Dense integer codes of a column's values (null is a value of its own); (codes, count)."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, max(len(encoded.dictionary), 1)


def _not_first(columns: list[pa.Array]) -> pa.Array:
    """Mask of rows whose key tuple already appeared in an earlier row (nulls are values)."""
    n = len(columns[0])
    key, span = _codes(columns[0])
    for col in columns[1:]:
        codes, count = _codes(col)
        if span * count >= 2**62:  # too many combinations for one int64: renumber densely
            uniques, key = np.unique(key, return_inverse=True)
            span = max(len(uniques), 1)
        key = key * count + codes
        span *= count
    if len(columns) > 1:
        _, key = np.unique(key, return_inverse=True)
    first = np.zeros(n, dtype=bool)
    if n:
        _, first_index = np.unique(key, return_index=True)
        first[first_index] = True
    return pa.array(~first)


def _with_validity(column: pa.Array, valid: pa.Array) -> pa.Array:
    """`column` with nulls where `valid` is false. Zero-copy when possible: the boolean
    array's bitmap becomes the validity bitmap of the same string buffers (if_else would copy
    every string of the column)."""
    if (
        column.offset == 0
        and valid.offset == 0
        and valid.null_count == 0
        and pa.types.is_string(column.type)
        and column.null_count == 0
    ):
        buffers = column.buffers()
        return pa.Array.from_buffers(
            pa.string(), len(column), [valid.buffers()[1], buffers[1], buffers[2]]
        )
    return _if(valid, column)


def _key_values(columns: list[pa.Array]) -> pa.Array:
    """One string per row for a (composite) key, nulls kept distinct from any text."""
    parts = [pc.fill_null(pc.cast(c, pa.string()), "\x00") for c in columns]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\x1f")


# --------------------------------------------------------------------------- the checks


def _open(
    path: Path, schema: TableSchema, report: Report, file: str
) -> tuple[list[str], list[str], bool] | None:
    """(header, column names for pyarrow, header matches the schema), or None (with a
    finding) when the file cannot be read as CSV at all."""
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if b"\x00" in head:
        report.add(
            _encoding_finding(
                path,
                file,
                (head.index(b"\x00"), head[: head.index(b"\x00")].count(b"\n") + 1, "nul"),
            )
        )
        return None
    long_line = _long_line(path)
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
        header = _header(path)
    except UnicodeDecodeError:
        problem = _encoding_problem(path)
        report.add(_encoding_finding(path, file, problem or (0, 1, "utf-8")))
        return None
    if not header:
        report.add(Finding("blank-table", message("blank-table"), file=file))
        return None
    return header, _column_names(header), _check_header(header, schema, report, file)


def _empty(schema: TableSchema) -> CheckedTable:
    return CheckedTable(
        pa.table({f.name: pa.array([], pa.string()) for f in schema.fields}), structure_ok=False
    )


def _unreadable(path: Path, report: Report, file: str, exc: Exception) -> None:
    problem = _encoding_problem(path)
    if problem is None:
        report.add(
            Finding("source-error", message("source-error", error=str(exc)[:300]), file=file)
        )
    else:
        report.add(_encoding_finding(path, file, problem))


def check_table(
    path: Path,
    schema: TableSchema,
    report: Report,
    *,
    file: str,
    codelists: dict[str, pa.Table] | None = None,
) -> CheckedTable:
    """Check the CSV at `path` against `schema`, adding findings to `report` (the whole
    table in memory; `check_table_stream` for big files)."""
    opened = _open(path, schema, report, file)
    if opened is None:
        return _empty(schema)
    header, names, structure_ok = opened
    try:
        raw = _read_fast(path, names)
    except _Ragged:
        raw = _read_ragged(path, names, header, report, file)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        _unreadable(path, report, file, exc)
        return _empty(schema)
    report.rows = raw.num_rows
    if raw.num_rows == 0:
        report.add(Finding("blank-table", message("blank-table"), file=file))
    return _check_rows(raw, header, names, structure_ok, schema, report, file, codelists)


_HASH_BASE = np.uint64(1099511628211)


class SeenKeys:
    """Keys (unique fields, the primary key) of earlier batches, as 64-bit hashes: memory is
    8 bytes per distinct key, not the keys themselves. A hash collision (odds ~n²/2⁶⁵, about
    3·10⁻⁶ for 10 million keys) would report a duplicate that is not one."""

    def __init__(self) -> None:
        self.batches: dict[str, list[np.ndarray]] = {}

    @staticmethod
    def hashes(values: pa.Array) -> np.ndarray:
        """64-bit hashes of the values (as text; nulls distinct from any text), computed on
        pyarrow's buffers with numpy: no Python object per value (those fragmented the heap
        batch after batch). A polynomial hash with a splitmix64 finish; a collision can only
        report a duplicate that is not one, never hide one."""
        text = pc.fill_null(pc.cast(values, pa.string()), "\x00")
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        n = len(text)
        bufs = text.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[text.offset : text.offset + n + 1]
        lengths = np.diff(offsets).astype(np.int64)
        h = np.zeros(n, dtype=np.uint64)
        total = int(offsets[-1] - offsets[0]) if n else 0
        if total:
            data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            owner = np.repeat(np.arange(n), lengths)
            ends = (offsets[1:] - offsets[0]).astype(np.int64)
            dist = ends[owner] - 1 - np.arange(total, dtype=np.int64)
            powers = np.cumprod(np.full(int(lengths.max()), _HASH_BASE, dtype=np.uint64))
            powers = np.concatenate(([np.uint64(1)], powers[:-1]))
            contrib = (data.astype(np.uint64) + np.uint64(1)) * powers[dist]
            nonempty = lengths > 0
            starts = (offsets[:-1] - offsets[0])[nonempty]
            h[nonempty] = np.add.reduceat(contrib, starts)
        h ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
        return h

    def earlier(self, key: str, values: pa.Array, consider: pa.Array) -> pa.Array:
        """Mask of rows (among `consider`) whose value appeared in an earlier batch; then
        remembers this batch's values."""
        hashed = self.hashes(values)
        use = np.asarray(pc.fill_null(consider, False).to_numpy(zero_copy_only=False), dtype=bool)
        prev = np.zeros(len(hashed), dtype=bool)
        for known in self.batches.get(key, []):
            idx = np.minimum(np.searchsorted(known, hashed), len(known) - 1)
            prev |= known[idx] == hashed
        batches = self.batches.setdefault(key, [])
        batches.append(np.unique(hashed[use]))
        if len(batches) > 8:  # keep the number of sorted arrays small
            self.batches[key] = [np.unique(np.concatenate(batches))]
        return pa.array(prev & use)


def check_table_stream(
    path: Path,
    schema: TableSchema,
    report: Report,
    *,
    file: str,
    codelists: dict[str, pa.Table] | None = None,
    block_size: int = BLOCK_SIZE,
    on_batch: Callable[[CheckedTable, int], None] | None = None,
) -> CheckedTable:
    """The same checks in batches of about `block_size` bytes (``pyarrow.csv.open_csv``), so
    memory stays bounded whatever the number of rows: unique fields and the primary key are
    compared across batches through `SeenKeys`. `on_batch(batch, offset)` sees each checked
    batch (the guard, the formula check) before it is dropped. A file with ragged rows is
    checked whole (`check_table`). Returns the header and structure, without the rows."""
    opened = _open(path, schema, report, file)
    if opened is None:
        return _empty(schema)
    header, names, structure_ok = opened
    ragged: list[int] = []

    def on_invalid(row: Any) -> str:
        ragged.append(1)
        return "skip"

    try:
        # pyarrow's streaming reader decodes ~20 blocks ahead of the consumer: small blocks
        # keep that bounded (~50 MB); they are gathered into batches of `block_size` bytes
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, block_size=min(READ_BLOCK, block_size)
            ),
            parse_options=pacsv.ParseOptions(
                invalid_row_handler=on_invalid, newlines_in_values=True, ignore_empty_lines=False
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        seen = SeenKeys()
        offset = 0
        pending: list[pa.RecordBatch] = []
        size = 0

        def flush() -> None:
            nonlocal offset, size
            raw = pa.Table.from_batches(pending)
            pending.clear()
            size = 0
            checked = _check_rows(
                raw, header, names, structure_ok, schema, report, file, codelists, offset, seen
            )
            if on_batch is not None:
                on_batch(checked, offset)
            offset += raw.num_rows

        for batch in reader:
            if ragged:  # known only once its block is read; the file is checked whole
                break
            pending.append(batch)
            size += batch.nbytes
            if size >= block_size:
                flush()
        if pending and not ragged:
            flush()
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        _unreadable(path, report, file, exc)
        return _empty(schema)
    if ragged:  # start again, whole: rows with too many or too few cells are named exactly
        fresh = Report(report.dataset, report.file, cap=report.cap)
        whole = check_table(path, schema, fresh, file=file, codelists=codelists)
        report.findings, report.counts = fresh.findings, fresh.counts
        report.error_counts, report.warning_counts = fresh.error_counts, fresh.warning_counts
        report.field_counts, report._kept = fresh.field_counts, fresh._kept
        report.rows = fresh.rows
        if on_batch is not None:
            on_batch(whole, 0)
        return CheckedTable(
            whole.table.slice(0, 0), {}, {}, header, whole.structure_ok, rows=fresh.rows
        )
    report.rows = offset
    if offset == 0:
        report.add(Finding("blank-table", message("blank-table"), file=file))
    return CheckedTable(
        pa.table({f.name: pa.array([], pa.string()) for f in schema.fields}),
        {},
        {},
        header,
        structure_ok,
        rows=offset,
    )


def _check_rows(
    raw: pa.Table,
    header: list[str],
    names: list[str],
    structure_ok: bool,
    schema: TableSchema,
    report: Report,
    file: str,
    codelists: dict[str, pa.Table] | None,
    offset: int = 0,
    seen: SeenKeys | None = None,
) -> CheckedTable:
    """Every check of the rows of `raw` (a whole table, or one batch `offset` rows in)."""
    n = raw.num_rows

    # schema fields present in the header (matched by name), their raw text with nulls
    by_label = {label: name for label, name in zip(header, names, strict=True) if label}
    missing_set = pa.array(list(schema.missing_values), pa.string())
    columns: dict[str, pa.Array] = {}
    present: dict[str, pa.Array] = {}
    for spec in schema.fields:
        if spec.name not in by_label:
            columns[spec.name] = pa.nulls(n, pa.string())
            continue
        col = raw.column(by_label[spec.name]).combine_chunks()
        if schema.missing_values == ("",):  # the usual case: a length test, no hashing
            is_present = pc.fill_null(pc.greater(pc.binary_length(col), 0), False)
        else:
            is_present = pc.and_(
                pc.is_valid(col),
                pc.invert(pc.fill_null(pc.is_in(col, value_set=missing_set), False)),
            )
        present[spec.name] = is_present
        columns[spec.name] = _with_validity(col, is_present)

    # blank rows: every cell of the schema's fields is null
    blank = pa.array(np.zeros(n, dtype=bool))
    if present:
        any_present = None
        for mask in present.values():
            any_present = mask if any_present is None else pc.or_(any_present, mask)
        blank = pc.invert(any_present)
        total = pc.sum(pc.cast(blank, pa.int64())).as_py() or 0
        if total:
            report.add_count(
                "blank-row",
                "error",
                total,
                [
                    Finding("blank-row", message("blank-row", row=r), file=file, row=r)
                    for r in _rows(blank, report.cap, offset)
                ],
            )
    filled = pc.invert(blank)

    valid: dict[str, pa.Array] = {}
    typed: dict[str, pa.Array] = {}
    checked = [spec for spec in schema.fields if spec.name in present]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(
            pool.map(
                lambda spec: _field_checks(spec, columns[spec.name], present[spec.name], filled),
                checked,
            )
        )
    for spec, (ok, values, checks) in zip(checked, results, strict=True):
        valid[spec.name] = ok
        typed[spec.name] = values
        for code, mask, extra in checks:
            if code == "unique-error" and seen is not None:
                mask = pc.or_(mask, seen.earlier(spec.name, values, ok))
            _emit(report, code, columns[spec.name], mask, spec, file, offset, **extra)
    for spec in schema.fields:
        if spec.name not in present:
            valid[spec.name] = pa.array(np.zeros(n, dtype=bool))
            typed[spec.name] = typed_column(columns[spec.name], spec)[1]

    pk = list(schema.primary_key)
    if pk and all(k in present for k in pk):
        _check_primary_key(report, pk, columns, typed, file, offset, seen)
    for fk in schema.foreign_keys:
        ref = (codelists or {}).get(fk.resource)
        if ref is None or not all(k in present for k in fk.fields):
            continue
        _check_foreign_key(
            report, fk.fields, fk.resource, fk.reference_fields, columns, typed, ref, file, offset
        )
    return CheckedTable(pa.table(columns), valid, typed, header, structure_ok)


def _check_header(header: list[str], schema: TableSchema, report: Report, file: str) -> bool:
    ok = True
    names = set(schema.names)
    for i, label in enumerate(header, start=1):
        if not label.strip():
            report.add(
                Finding(
                    "blank-label",
                    message("blank-label", position=i),
                    file=file,
                    row=1,
                    details={"position": i},
                )
            )
            ok = False
    seen: set[str] = set()
    for i, label in enumerate(header, start=1):
        if label and label in seen:
            report.add(
                Finding(
                    "duplicate-label",
                    message("duplicate-label", field=label),
                    file=file,
                    row=1,
                    field=label,
                    details={"position": i},
                )
            )
            ok = False
        seen.add(label)
    for name in schema.names:
        if name not in seen:
            report.add(
                Finding(
                    "missing-label",
                    message("missing-label", field=name),
                    file=file,
                    row=1,
                    field=name,
                )
            )
            ok = False
    for i, label in enumerate(header, start=1):
        if label.strip() and label not in names:
            report.add(
                Finding(
                    "extra-label",
                    message("extra-label", field=label),
                    file=file,
                    row=1,
                    field=label,
                    details={"position": i},
                )
            )
            ok = False
    return ok


def _check_primary_key(
    report: Report,
    pk: list[str],
    columns: dict[str, pa.Array],
    typed: dict[str, pa.Array],
    file: str,
    offset: int = 0,
    seen: SeenKeys | None = None,
) -> None:
    key = [typed[k] for k in pk]
    all_null = pc.invert(pc.is_valid(key[0]))
    for col in key[1:]:
        all_null = pc.and_(all_null, pc.invert(pc.is_valid(col)))
    dup = pc.and_(pc.invert(all_null), _not_first(key))
    if seen is not None:
        dup = pc.or_(dup, seen.earlier("\x00pk", _key_values(key), pc.invert(all_null)))
    bad = pc.or_(all_null, dup)
    total = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
    if not total:
        return
    rows = _rows(bad, report.cap, offset)
    shown = pc.filter(pa.table({k: columns[k] for k in pk}), bad).slice(0, report.cap)
    texts = [
        ", ".join("" if v is None else str(v) for v in vals)
        for vals in zip(*(shown.column(k).to_pylist() for k in pk), strict=True)
    ]
    empties = pc.filter(all_null, bad).slice(0, report.cap).to_pylist()
    label = ", ".join(pk)
    report.add_count(
        "primary-key",
        "error",
        total,
        [
            Finding(
                "primary-key",
                message("primary-key-null" if null else "primary-key", row=r, field=label, value=v),
                file=file,
                row=r,
                field=label,
                value=v,
                details={"fields": pk, "reason": "null" if null else "duplicate"},
            )
            for r, v, null in zip(rows, texts, empties, strict=True)
        ],
    )


def _check_foreign_key(
    report: Report,
    fields: tuple[str, ...],
    resource: str,
    ref_fields: tuple[str, ...],
    columns: dict[str, pa.Array],
    typed: dict[str, pa.Array],
    ref: pa.Table,
    file: str,
    offset: int = 0,
) -> None:
    own = [typed[f] for f in fields]
    any_value = pc.is_valid(own[0])
    for col in own[1:]:
        any_value = pc.or_(any_value, pc.is_valid(col))
    allowed = pc.unique(_key_values([ref.column(f).combine_chunks() for f in ref_fields]))
    bad = pc.and_(any_value, pc.invert(pc.is_in(_key_values(own), value_set=allowed)))
    total = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
    if not total:
        return
    rows = _rows(bad, report.cap, offset)
    shown = pc.filter(pa.table({f: columns[f] for f in fields}), bad).slice(0, report.cap)
    texts = [
        ", ".join("" if v is None else str(v) for v in vals)
        for vals in zip(*(shown.column(f).to_pylist() for f in fields), strict=True)
    ]
    label = ", ".join(fields)
    details = {"fields": list(fields), "resource": resource, "reference_fields": list(ref_fields)}
    report.add_count(
        "foreign-key",
        "error",
        total,
        [
            Finding(
                "foreign-key",
                message("foreign-key", row=r, field=label, value=v, resource=resource),
                file=file,
                row=r,
                field=label,
                value=v,
                details=details,
            )
            for r, v in zip(rows, texts, strict=True)
        ],
    )


def read_codelist(path: Path, schema: TableSchema | None, fields: tuple[str, ...]) -> pa.Table:
    """A code list's referenced columns, typed by its own schema when it has one."""
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in fields},
            include_columns=list(fields),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    out = {}
    for name in fields:
        col = table.column(name).combine_chunks()
        spec = None
        if schema is not None and name in schema.names:
            spec = schema.field(name)
        missing = list(schema.missing_values) if schema is not None else [""]
        col = _if(
            pc.invert(pc.fill_null(pc.is_in(col, value_set=pa.array(missing, pa.string())), False)),
            col,
        )
        out[name] = typed_column(col, spec)[1] if spec is not None else col
    return pa.table(out)


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (used by tests and the bench)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()
