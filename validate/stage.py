"""The validation stage: Table Schema checks, then the GX suite, into one Report."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dulieumo.catalog.quality import QualitySpec
from dulieumo.errors import SpecError
from dulieumo.redact import mask_url
from dulieumo.tables import SourceNotes

from . import drift, formula, guard, memory
from .findings import Finding, Report
from .messages import message
from .previous import PreviousRelease, referenced_table
from .schema import TableSchema, load_schema
from .source_rows import apply_notes
from .suite import Suite, load_suite, run_suite, subset
from .table import CheckedTable, check_table, check_table_stream, read_codelist

#: files bigger than this are validated in batches (bounded memory); smaller ones whole
STREAM_BYTES = 512 << 20
STREAM_BLOCK = 16 << 20  # bytes per batch when streaming (~150,000 rows of 14 columns)

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec


def load_codelists(
    schema: TableSchema,
    root: Path,
    *,
    datasets: Mapping[str, Path] | None = None,
    previous: PreviousRelease | None = None,
) -> dict[str, pa.Table]:
    """Tables referenced by the schema's foreign keys.

    ``reference.resource`` names a code list (root/codelists/<resource>.csv, typed by
    root/schemas/codelists/<resource>.json when that schema exists) or, failing that, another
    dataset of the catalogue (`datasets`: name → its schema path relative to root): its latest
    published rows (`previous.references`), else its newest validated local run
    (validate.previous)."""
    out: dict[str, pa.Table] = {}
    where = schema.path.as_posix() if schema.path else "schema"
    for fk in schema.foreign_keys:
        if fk.resource in out:
            continue
        path = root / "codelists" / f"{fk.resource}.csv"
        schema_path = root / "schemas" / "codelists" / f"{fk.resource}.json"
        if not path.is_file() and datasets and fk.resource in datasets:
            path, _ = referenced_table(fk.resource, where=where, previous=previous)
            schema_path = root / datasets[fk.resource]
        elif not path.is_file():
            raise SpecError(
                f"{where}: foreignKeys: the code list '{fk.resource}' was not found at "
                f"codelists/{fk.resource}.csv, and no dataset of the catalogue is named so.",
                hint="Add the code list, or fix `reference.resource` in the schema.",
            )
        cl_schema = load_schema(schema_path, root=root) if schema_path.is_file() else None
        fields = tuple(
            dict.fromkeys(
                f
                for k in schema.foreign_keys
                if k.resource == fk.resource
                for f in k.reference_fields
            )
        )
        try:
            out[fk.resource] = read_codelist(path, cl_schema, fields)
        except (pa.ArrowInvalid, KeyError) as exc:
            raise SpecError(
                f"{fk.resource}: cannot read the referenced columns {', '.join(fields)}: {exc}",
                hint=f"Check the columns of the code list against {where}.",
            ) from None
    return out


def _series(values: pa.Array, ftype: str, nullable: bool) -> pd.Series:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if nullable and ftype in ("integer", "year"):
        return pd.Series(values.to_pandas()).astype("Int64")
    if nullable and ftype == "number":
        return pd.Series(values.to_pandas()).astype("Float64")
    if nullable and ftype == "boolean":
        return pd.Series(values.to_pandas()).astype("boolean")
    # numbers as float64 with NaN for nulls: GX 1.24's column-pair metrics fail on pandas'
    # nullable Int64 ("boolean value of NA is ambiguous")
    if ftype in ("integer", "year", "number"):
        return pd.Series(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False))
    if ftype == "boolean":
        return pd.Series(values.to_pylist(), dtype=object)
    if ftype == "date":
        return _timestamps(pc.cast(values, pa.timestamp("s")), nullable)
    if ftype == "datetime" and pa.types.is_timestamp(values.type):
        return _timestamps(values, nullable)
    return pd.Series(values.to_pandas())


def _timestamps(values: pa.Array, nullable: bool) -> pd.Series:
    """datetime64 of the array's unit; for GX (nullable=False) in nanoseconds where the dates
    allow: GX 1.24 compares only datetime64[ns] columns vectorised (other units: row by row,
    ~3 µs a value)."""
    if not nullable:
        try:
            values = pc.cast(values, pa.timestamp("ns", values.type.tz))
        except pa.ArrowInvalid:  # a date beyond 1677–2262: keep the coarser unit
            pass
    return pd.Series(values.to_pandas())


def typed_frame(
    table: Path | CheckedTable, schema: TableSchema, *, nullable: bool = True
) -> pd.DataFrame:
    """The table with the schema's types; cells that are missing or not of the field's type
    are nulls. `table` is a CSV path or the result of `check_table` (which already holds the
    typed columns). Dates and datetimes are datetime64, strings pandas' str.

    nullable=True: Int64 / Float64 / boolean (exact, for publishing); nullable=False:
    float64 with NaN and object booleans (what GX 1.24's pandas metrics handle)."""
    if not isinstance(table, CheckedTable):
        table = check_table(Path(table), schema, Report("", str(table)), file=str(table))
    return pd.DataFrame(
        {
            spec.name: _series(table.typed[spec.name], spec.type, nullable)
            for spec in schema.fields
            if spec.name in table.typed
        }
    )


def _source_label(spec: DatasetSpec, table: Path) -> str:
    source = spec.source
    if source.type == "file":
        return source.path.as_posix()
    return mask_url(str(source.url)) or table.name


def _suite_skipped(report: Report, file: str, suite: str) -> None:
    """The suite did not run: the table's structure is broken or it has no rows."""
    details = {"suite": suite}
    report.add(Finding("suite-skipped", message("suite-skipped"), "warning", file, details=details))


def validate_table(
    table: Path,
    spec: DatasetSpec,
    *,
    root: Path,
    datasets: Mapping[str, Path] | None = None,
    previous: PreviousRelease | None = None,
) -> Report:
    """Check a normalised CSV against the dataset's schema, suite, personal-data guard and
    (when `previous` is given and ``quality.row_count_tolerance`` set) the last release's
    row count; one Report.

    `datasets` (name → schema path) lets foreign keys reference other datasets of the
    catalogue; `previous` is what the caller looked up of earlier releases (validation
    never calls the portal)."""
    schema = load_schema(root / spec.schema_path, root=root)
    suite = load_suite(root / spec.suite_path, schema, root=root) if spec.suite_path else None
    quality = spec.quality
    where = f"{spec.spec_path.as_posix() if spec.spec_path.name else spec.name}: quality"
    gplan = guard.plan(schema, quality, where=where)
    file = _source_label(spec, table)
    report = validate_with(
        table,
        schema,
        suite,
        dataset=spec.name,
        file=file,
        codelists=load_codelists(schema, root, datasets=datasets, previous=previous),
        quality=quality,
        guard_plan=gplan,
    )
    tolerance = quality.row_count_tolerance
    if previous is not None and tolerance is not None and report.rows:
        if previous.unchecked is not None:
            report.add(
                Finding(
                    "row-count-unchecked",
                    message("row-count-unchecked", reason=previous.unchecked),
                    "warning",
                    file,
                )
            )
        elif previous.last is not None:
            last = previous.last
            drift.check_row_count(report, last.rows, tolerance, version=last.version, file=file)
    return report


def validate_with(
    table: Path,
    schema: TableSchema,
    suite: Suite | None,
    *,
    dataset: str,
    file: str,
    codelists: dict[str, pa.Table] | None = None,
    cap: int | None = None,
    quality: QualitySpec | None = None,
    guard_plan: guard.GuardPlan | None = None,
    stream: bool | None = None,
    block_size: int | None = None,
) -> Report:
    """The stage without a catalogue: schema checks, column drift, the personal-data guard
    and formula check, then the suite when the data can be typed (header matches the schema,
    file readable); otherwise a `suite-skipped` warning.

    `stream` (default: files over STREAM_BYTES) checks the file in batches of `block_size`
    bytes, with bounded memory and the same findings; see `_validate_stream`."""
    report = Report(dataset, file) if cap is None else Report(dataset, file, cap=cap)
    path = Path(table)
    if stream is None:
        stream = path.is_file() and path.stat().st_size > STREAM_BYTES
    gplan = guard_plan or guard.plan(schema, quality)
    mode = (quality or QualitySpec()).formula_injection
    if stream:
        _validate_stream(path, schema, suite, report, file, codelists, gplan, mode, block_size)
    else:
        _validate_whole(path, schema, suite, report, file, codelists, gplan, mode)
    apply_notes(report, SourceNotes.read(path), file)
    return report


def _validate_whole(
    path: Path,
    schema: TableSchema,
    suite: Suite | None,
    report: Report,
    file: str,
    codelists: dict[str, pa.Table] | None,
    gplan: guard.GuardPlan,
    mode: str,
) -> Report:
    started = time.perf_counter()
    checked = check_table(path, schema, report, file=file, codelists=codelists)
    report.stats["fields"] = len(schema.fields)
    report.stats["schema_seconds"] = round(time.perf_counter() - started, 3)
    started = time.perf_counter()
    _guard(checked, schema, report, file, gplan, mode, 0)
    report.stats["guard_seconds"] = round(time.perf_counter() - started, 3)
    if checked.header:
        drift.check_columns(checked.header, schema.names, report, file=file)
    if suite is not None and suite.expectations:
        if not checked.structure_ok or checked.num_rows == 0:
            _suite_skipped(report, file, suite.name)
        else:
            started = time.perf_counter()
            run_suite(suite, typed_frame(checked, schema, nullable=False), report, file=file)
            report.stats["suite_seconds"] = round(time.perf_counter() - started, 3)
    return report


def _guard(
    checked: CheckedTable,
    schema: TableSchema,
    report: Report,
    file: str,
    gplan: guard.GuardPlan,
    mode: str,
    offset: int,
) -> None:
    columns = {
        name: checked.table.column(name).combine_chunks() for name in checked.table.column_names
    }
    guard.scan(columns, gplan, report, file=file, typed=checked.typed, row_offset=offset)
    formula.check(columns, schema, mode, report, file=file, row_offset=offset)


def _validate_stream(
    path: Path,
    schema: TableSchema,
    suite: Suite | None,
    report: Report,
    file: str,
    codelists: dict[str, pa.Table] | None,
    gplan: guard.GuardPlan,
    mode: str,
    block_size: int | None,
) -> Report:
    """Batch by batch: schema checks, guard and formula check on each batch; the suite's
    row-wise rules (GX map expectations) on each batch's typed frame, its other rules
    (row count, means, uniqueness...) once at the end on a frame of only the columns they
    name, gathered batch by batch."""
    row_wise = subset(suite, True) if suite is not None else None
    whole = subset(suite, False) if suite is not None else None
    needed = sorted({c for e in (whole.expectations if whole else ()) for c in e.columns})
    # GX gets only the columns its rules name (a full typed frame per batch is the biggest
    # allocation of the stage)
    row_columns = sorted(
        {c for e in (row_wise.expectations if row_wise else ()) for c in e.columns}
    )
    gathered: dict[str, list[pd.Series]] = {c: [] for c in needed}
    timing = {"guard": 0.0, "suite": 0.0, "batches": 0}
    structure = {"ok": True}

    def on_batch(batch: CheckedTable, offset: int) -> None:
        timing["batches"] += 1
        started = time.perf_counter()
        _guard(batch, schema, report, file, gplan, mode, offset)
        timing["guard"] += time.perf_counter() - started
        structure["ok"] = structure["ok"] and batch.structure_ok
        if not batch.structure_ok or batch.table.num_rows == 0:
            return
        started = time.perf_counter()
        if row_wise is not None and row_wise.expectations:
            frame = pd.DataFrame(
                {c: _series(batch.typed[c], schema.field(c).type, False) for c in row_columns}
            )
            run_suite(row_wise, frame, report, file=file, row_offset=offset)
            del frame
        for c in needed:
            spec = schema.field(c)
            gathered[c].append(_series(batch.typed[c], spec.type, False))
        timing["suite"] += time.perf_counter() - started
        memory.release_heap()  # the batch's freed pages, before the next batch (validate.memory)

    memory.fix_mmap_threshold()
    started = time.perf_counter()
    kwargs = {"block_size": block_size or STREAM_BLOCK}
    checked = check_table_stream(
        path, schema, report, file=file, codelists=codelists, on_batch=on_batch, **kwargs
    )
    total = time.perf_counter() - started
    report.stats["fields"] = len(schema.fields)
    report.stats["streamed"] = True
    report.stats["batches"] = int(timing["batches"])
    report.stats["guard_seconds"] = round(timing["guard"], 3)
    report.stats["schema_seconds"] = round(total - timing["guard"] - timing["suite"], 3)
    if checked.header:
        drift.check_columns(checked.header, schema.names, report, file=file)
    if suite is not None and suite.expectations:
        if not checked.structure_ok or checked.num_rows == 0:
            _suite_skipped(report, file, suite.name)
        elif whole is not None and whole.expectations:
            started = time.perf_counter()
            frame = pd.DataFrame(
                {c: pd.concat(parts, ignore_index=True) for c, parts in gathered.items() if parts}
            )
            if frame.empty and not needed:  # table-level rules (row count) need only rows
                frame = pd.DataFrame({"_row": np.zeros(checked.num_rows, dtype=np.int8)})
            run_suite(whole, frame, report, file=file)
            timing["suite"] += time.perf_counter() - started
        report.stats["suite_seconds"] = round(timing["suite"], 3)
    return report
