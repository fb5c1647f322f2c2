"""Table Schema checks, vectorised with pyarrow.

This module runs the checks; each step has its own module: `sniff` (is it text, line
lengths, the header against the schema), `readers` (the three CSV readers), `parse` (cells to
typed values), `constraints` (one field's checks and their findings), `keys` (unique, primary
and foreign keys, across batches too) and `codelists` (the referenced tables).

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

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import readers
from .codelists import read_codelist
from .constraints import emit, field_checks
from .findings import Finding, Report
from .keys import SeenKeys, check_foreign_key, check_primary_key, row_numbers
from .messages import message
from .parse import typed_column, where
from .readers import BLOCK_SIZE, Ragged, read_ragged
from .schema import TableSchema
from .sniff import open_table, unreadable

__all__ = ["CheckedTable", "SeenKeys", "check_table", "check_table_stream", "read_codelist"]


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


def empty_table(schema: TableSchema) -> CheckedTable:
    return CheckedTable(
        pa.table({f.name: pa.array([], pa.string()) for f in schema.fields}), structure_ok=False
    )


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
    opened = open_table(path, schema, report, file)
    if opened is None:
        return empty_table(schema)
    header, names, structure_ok = opened
    try:
        raw = readers.read_fast(path, names)
    except Ragged:
        raw = read_ragged(path, names, header, report, file)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        unreadable(path, report, file, exc)
        return empty_table(schema)
    report.rows = raw.num_rows
    if raw.num_rows == 0:
        report.add(Finding("blank-table", message("blank-table"), file=file))
    return _check_rows(raw, header, names, structure_ok, schema, report, file, codelists)


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
    opened = open_table(path, schema, report, file)
    if opened is None:
        return empty_table(schema)
    header, names, structure_ok = opened
    ragged: list[int] = []
    try:
        reader = readers.open_stream(path, names, block_size, ragged)
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
        unreadable(path, report, file, exc)
        return empty_table(schema)
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
                    for r in row_numbers(blank, report.cap, offset)
                ],
            )
    filled = pc.invert(blank)

    valid: dict[str, pa.Array] = {}
    typed: dict[str, pa.Array] = {}
    checked = [spec for spec in schema.fields if spec.name in present]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(
            pool.map(
                lambda spec: field_checks(spec, columns[spec.name], present[spec.name], filled),
                checked,
            )
        )
    for spec, (ok, values, checks) in zip(checked, results, strict=True):
        valid[spec.name] = ok
        typed[spec.name] = values
        for code, mask, extra in checks:
            if code == "unique-error" and seen is not None:
                mask = pc.or_(mask, seen.earlier(spec.name, values, ok))
            emit(report, code, columns[spec.name], mask, spec, file, offset, **extra)
    for spec in schema.fields:
        if spec.name not in present:
            valid[spec.name] = pa.array(np.zeros(n, dtype=bool))
            typed[spec.name] = typed_column(columns[spec.name], spec)[1]

    pk = list(schema.primary_key)
    if pk and all(k in present for k in pk):
        check_primary_key(report, pk, columns, typed, file, offset, seen)
    for fk in schema.foreign_keys:
        ref = (codelists or {}).get(fk.resource)
        if ref is None or not all(k in present for k in fk.fields):
            continue
        check_foreign_key(
            report, fk.fields, fk.resource, fk.reference_fields, columns, typed, ref, file, offset
        )
    return CheckedTable(pa.table(columns), valid, typed, header, structure_ok)


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
    return where(valid, column)
