"""Table Schema checks, vectorised with pyarrow.

The file is read once as strings; each field is then checked column-wise (types, formats,
constraints), followed by the primary key, unique fields and foreign keys to code lists.
The codes follow frictionless' error types (finer for constraints; see findings.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dulieumo.errors import SourceError

from .findings import Finding, Report
from .messages import message
from .schema import FieldSpec, TableSchema

INT_RE = r"^[+-]?[0-9]+$"
NUM_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
YEAR_RE = r"^[0-9]{4}$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DATETIME_RE = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
               r"(Z|[+-][0-9]{2}:?[0-9]{2})?$")
BLOCK_SIZE = 64 << 20


@dataclass
class CheckedTable:
    """The table as read, with per-field validity masks (for typing and the GX suite)."""

    table: pa.Table  # all columns as strings, in schema order (absent fields: nulls)
    valid: dict[str, pa.Array]  # field → bool mask: value present and of the right type
    header: list[str]
    structure_ok: bool


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        line = fh.readline()
    if not line.strip():
        return []
    return next(csv.reader(io.StringIO(line)))


def _read_strings(path: Path, header: list[str], report: Report, label: str) -> pa.Table:
    bad_rows: list[Any] = []

    def on_invalid(row: Any) -> str:
        bad_rows.append(row)
        return "skip"

    names = [h if h else f"__blank_{i}" for i, h in enumerate(header)]
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=BLOCK_SIZE),
            parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid,
                                             newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, OSError) as exc:
        raise SourceError(f"{label}: the file cannot be read as CSV: {exc}",
                          hint="Open it in a spreadsheet and export it again as CSV.") from None
    if bad_rows:
        return _read_strings_slow(path, names, report)
    return table


def _read_strings_slow(path: Path, names: list[str], report: Report) -> pa.Table:
    """Rows with too many or too few cells: read row by row to name each one exactly."""
    cols: list[list[str | None]] = [[] for _ in names]
    width = len(names)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        for row_number, row in enumerate(reader, start=2):
            if len(row) > width:
                report.add(Finding("extra-cell", message("extra-cell", row=row_number,
                                                         n=len(row), width=width),
                                   row=row_number, value=",".join(row[width:])[:200]))
            elif len(row) < width:
                report.add(Finding("missing-cell", message("missing-cell", row=row_number,
                                                           n=len(row), width=width),
                                   row=row_number, field=names[len(row)]))
            for i in range(width):
                cols[i].append(row[i] if i < len(row) else None)
    return pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, cols,
                                                                          strict=True)})


def _rows_where(mask: pa.Array) -> pa.Array:
    """Row numbers (header = 1) where mask is true."""
    idx = pc.indices_nonzero(pc.fill_null(mask, False))
    return pc.add(idx, 2)


def _emit(report: Report, code: str, column: pa.Array, mask: pa.Array, spec: FieldSpec,
          file: str, **extra: Any) -> None:
    mask = pc.fill_null(mask, False)
    total = pc.sum(mask).as_py() or 0
    if not total:
        return
    rows = _rows_where(mask).slice(0, report.cap).to_pylist()
    values = pc.filter(column, mask).slice(0, report.cap).to_pylist()
    samples = [
        Finding(code, message(code, row=r, field=spec.name, value=v, **extra),
                file=file, row=r, field=spec.name, value=v, details=extra)
        for r, v in zip(rows, values, strict=True)
    ]
    report.add_count(code, "error", total, samples)


def _matches(column: pa.Array, pattern: str) -> pa.Array:
    return pc.match_substring_regex(column, pattern)


def _number_text(column: pa.Array, spec: FieldSpec) -> pa.Array:
    text = column
    if spec.group_char:
        text = pc.replace_substring(text, spec.group_char, "")
    if spec.decimal_char != ".":
        text = pc.replace_substring(text, spec.decimal_char, ".")
    return text


def _date_valid(column: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array]:
    """(valid mask, timestamps). Round-trips to reject dates like 31/02 that strptime
    silently rolls over."""
    parsed = pc.strptime(column, format=fmt, unit="s", error_is_null=True)
    back = pc.strftime(parsed, format=fmt)
    return pc.and_(pc.is_valid(parsed), pc.equal(back, column)), parsed


def typed_column(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    """(type-valid mask over present values, typed array with nulls where invalid)."""
    t = spec.type
    if t in ("string", "any"):
        return pc.is_valid(column), column
    if t in ("integer", "year"):
        pattern = YEAR_RE if t == "year" else INT_RE
        ok = _matches(column, pattern)
        safe = pc.if_else(ok, column, pa.scalar(None, pa.string()))
        return ok, pc.cast(safe, pa.int64())
    if t == "number":
        text = _number_text(column, spec)
        ok = _matches(text, NUM_RE)
        safe = pc.if_else(ok, text, pa.scalar(None, pa.string()))
        return ok, pc.cast(safe, pa.float64())
    if t == "boolean":
        trues = pc.is_in(column, value_set=pa.array(list(spec.true_values), pa.string()))
        falses = pc.is_in(column, value_set=pa.array(list(spec.false_values), pa.string()))
        ok = pc.or_(trues, falses)
        typed = pc.if_else(ok, trues, pa.scalar(None, pa.bool_()))
        return ok, typed
    if t == "date":
        fmt = "%Y-%m-%d" if spec.format in ("default", "any") else spec.format
        shape = _matches(column, DATE_RE) if fmt == "%Y-%m-%d" else pc.is_valid(column)
        ok, parsed = _date_valid(pc.if_else(shape, column, pa.scalar(None, pa.string())), fmt)
        ok = pc.and_(shape, pc.fill_null(ok, False))
        return ok, pc.cast(pc.if_else(ok, parsed, pa.scalar(None, parsed.type)), pa.date32())
    if t == "datetime":
        if spec.format in ("default", "any"):
            ok = _matches(column, DATETIME_RE)
            text = pc.if_else(ok, column, pa.scalar(None, pa.string()))
            date_ok, _ = _date_valid(pc.utf8_slice_codeunits(text, 0, 10), "%Y-%m-%d")
            ok = pc.and_(ok, pc.fill_null(date_ok, False))
            return ok, text
        ok, parsed = _date_valid(column, spec.format)
        ok = pc.fill_null(ok, False)
        return ok, pc.if_else(ok, parsed, pa.scalar(None, parsed.type))
    return pc.is_valid(column), column


def _constraints(report: Report, column: pa.Array, typed: pa.Array, ok: pa.Array,
                 spec: FieldSpec, file: str) -> None:
    c = spec.constraints
    if "enum" in c:
        allowed = c["enum"]
        if spec.type in ("integer", "year"):
            bad = pc.invert(pc.is_in(typed, value_set=pa.array([int(v) for v in allowed],
                                                                 pa.int64())))
        elif spec.type == "number":
            bad = pc.invert(pc.is_in(typed, value_set=pa.array([float(v) for v in allowed],
                                                                 pa.float64())))
        else:
            bad = pc.invert(pc.is_in(column, value_set=pa.array([str(v) for v in allowed],
                                                                  pa.string())))
        _emit(report, "constraint-enum", column, pc.and_(ok, bad), spec, file,
              allowed=", ".join(str(v) for v in allowed))
    for key, code, op in (("minimum", "constraint-minimum", pc.less),
                          ("maximum", "constraint-maximum", pc.greater)):
        if key in c and spec.type in ("integer", "number", "year", "date"):
            bound: Any = c[key]
            if spec.type == "date":
                bound = pa.scalar(dt.date.fromisoformat(str(bound)), pa.date32())
            _emit(report, code, column, pc.and_(ok, op(typed, bound)), spec, file,
                  bound=c[key])
    if spec.type == "string":
        if "minLength" in c:
            _emit(report, "constraint-min-length", column,
                  pc.and_(ok, pc.less(pc.utf8_length(column), c["minLength"])), spec, file,
                  bound=c["minLength"])
        if "maxLength" in c:
            _emit(report, "constraint-max-length", column,
                  pc.and_(ok, pc.greater(pc.utf8_length(column), c["maxLength"])), spec, file,
                  bound=c["maxLength"])
        if "pattern" in c:
            bad = pc.invert(_matches(column, f"^(?:{c['pattern']})$"))
            _emit(report, "constraint-pattern", column, pc.and_(ok, bad), spec, file,
                  pattern=c["pattern"])


def _duplicates(keys: pa.Table) -> pa.Array:
    """Mask of rows whose key already appeared in an earlier row (nulls never clash)."""
    n = keys.num_rows
    indexed = keys.append_column("__i", pa.array(range(n), pa.int64()))
    present = pc.is_valid(keys.column(0))
    for i in range(1, keys.num_columns):
        present = pc.and_(present, pc.is_valid(keys.column(i)))
    indexed = indexed.filter(present)
    firsts = indexed.group_by(keys.column_names, use_threads=False).aggregate(
        [("__i", "min")])
    first_idx = firsts.column("__i_min")
    is_first = pc.is_in(pa.array(range(n), pa.int64()), value_set=first_idx)
    return pc.and_(present, pc.invert(is_first))


def _key_text(table: pa.Table, names: Iterable[str], mask: pa.Array) -> list[str]:
    cols = [pc.filter(table.column(n), mask).slice(0, 100).to_pylist() for n in names]
    return [", ".join(str(v) for v in vals) for vals in zip(*cols, strict=True)]


def check_table(path: Path, schema: TableSchema, report: Report, *, file: str,
                codelists: dict[str, pa.Table] | None = None) -> CheckedTable:
    label = f"{report.dataset}: {file}"
    header = _header(path)
    if not header:
        report.add(Finding("blank-table", message("blank-table"), file=file))
        return CheckedTable(pa.table({}), {}, [], False)
    structure_ok = True
    for i, label_ in enumerate(header, start=1):
        if not label_.strip():
            report.add(Finding("blank-label", message("blank-label", position=i), file=file,
                               row=1, details={"position": i}))
            structure_ok = False
    seen: set[str] = set()
    for label_ in header:
        if label_ and label_ in seen:
            report.add(Finding("duplicate-label", message("duplicate-label", field=label_),
                               file=file, row=1, field=label_))
            structure_ok = False
        seen.add(label_)
    for name in schema.names:
        if name not in header:
            report.add(Finding("missing-label", message("missing-label", field=name),
                               file=file, row=1, field=name))
            structure_ok = False
    for label_ in header:
        if label_ and label_ not in schema.names:
            report.add(Finding("extra-label", message("extra-label", field=label_),
                               file=file, row=1, field=label_))
            structure_ok = False
    raw = _read_strings(path, header, report, label)
    report.rows = raw.num_rows
    if raw.num_rows == 0:
        report.add(Finding("blank-table", message("blank-table"), file=file))
    missing_set = pa.array(list(schema.missing_values), pa.string())
    columns: dict[str, pa.Array] = {}
    valid: dict[str, pa.Array] = {}
    for spec in schema.fields:
        if spec.name not in raw.column_names:
            columns[spec.name] = pa.nulls(raw.num_rows, pa.string())
            valid[spec.name] = pa.array([False] * raw.num_rows, pa.bool_())
            continue
        col = pc.cast(raw.column(spec.name).combine_chunks(), pa.string())
        present = pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=missing_set)))
        col = pc.if_else(present, col, pa.scalar(None, pa.string()))
        columns[spec.name] = col
        if spec.required or spec.name in schema.primary_key:
            _emit(report, "constraint-required", col, pc.invert(present), spec, file)
        type_ok, typed = typed_column(col, spec)
        type_ok = pc.fill_null(type_ok, False)
        _emit(report, "type-error", col, pc.and_(present, pc.invert(type_ok)), spec, file,
              type=spec.type, format=spec.format)
        ok = pc.and_(present, type_ok)
        valid[spec.name] = ok
        _constraints(report, col, typed, ok, spec, file)
        if spec.constraints.get("unique"):
            dup = _duplicates(pa.table({spec.name: col}))
            _emit(report, "unique-error", col, dup, spec, file)
    table = pa.table(columns)
    if schema.primary_key and all(k in raw.column_names for k in schema.primary_key):
        keys = table.select(list(schema.primary_key))
        dup = _duplicates(keys)
        total = pc.sum(pc.fill_null(dup, False)).as_py() or 0
        if total:
            rows = _rows_where(dup).slice(0, report.cap).to_pylist()
            shown = _key_text(table, schema.primary_key, pc.fill_null(dup, False))
            report.add_count("primary-key", "error", total, [
                Finding("primary-key", message("primary-key", row=r, value=v,
                                               field=", ".join(schema.primary_key)),
                        file=file, row=r, field=", ".join(schema.primary_key), value=v)
                for r, v in zip(rows, shown, strict=False)])
    for fk in schema.foreign_keys:
        ref = (codelists or {}).get(fk.resource)
        if ref is None or not all(k in table.column_names for k in fk.fields):
            continue
        if len(fk.fields) == 1:
            own = table.column(fk.fields[0])
            allowed = pc.unique(ref.column(fk.reference_fields[0]).combine_chunks())
            bad = pc.and_(pc.is_valid(own), pc.invert(pc.is_in(own, value_set=allowed)))
            spec = schema.field(fk.fields[0])
            _emit(report, "foreign-key", own, bad, spec, file, resource=fk.resource,
                  ref_field=fk.reference_fields[0])
    return CheckedTable(table, valid, header, structure_ok)

