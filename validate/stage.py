"""The validation stage: Table Schema checks, then the GX suite, into one Report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dulieumo.errors import SpecError

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema, load_schema
from .suite import Suite, load_suite, run_suite
from .table import CheckedTable, check_table, read_codelist

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec


def load_codelists(schema: TableSchema, root: Path) -> dict[str, pa.Table]:
    """Code lists referenced by the schema's foreign keys: root/codelists/<resource>.csv, typed
    by root/schemas/codelists/<resource>.json when that schema exists."""
    out: dict[str, pa.Table] = {}
    for fk in schema.foreign_keys:
        if fk.resource in out:
            continue
        path = root / "codelists" / f"{fk.resource}.csv"
        where = schema.path.as_posix() if schema.path else "schema"
        if not path.is_file():
            raise SpecError(
                f"{where}: foreignKeys: the code list '{fk.resource}' was not found at "
                f"codelists/{fk.resource}.csv.",
                hint="Add the code list, or fix `reference.resource` in the schema.")
        schema_path = root / "schemas" / "codelists" / f"{fk.resource}.json"
        cl_schema = load_schema(schema_path, root=root) if schema_path.is_file() else None
        fields = tuple(dict.fromkeys(f for k in schema.foreign_keys
                                     if k.resource == fk.resource for f in k.reference_fields))
        try:
            out[fk.resource] = read_codelist(path, cl_schema, fields)
        except (pa.ArrowInvalid, KeyError) as exc:
            raise SpecError(f"codelists/{fk.resource}.csv: cannot read the referenced columns "
                            f"{', '.join(fields)}: {exc}",
                            hint=f"Check the columns of the code list against {where}.") from None
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
        return pd.Series(pc.cast(values, pa.timestamp("s")).to_pandas())
    if ftype == "datetime" and pa.types.is_timestamp(values.type):
        return pd.Series(values.to_pandas())
    return pd.Series(values.to_pandas())


def typed_frame(table: Path | CheckedTable, schema: TableSchema, *,
                nullable: bool = True) -> pd.DataFrame:
    """The table with the schema's types; cells that are missing or not of the field's type
    are nulls. `table` is a CSV path or the result of `check_table` (which already holds the
    typed columns). Dates and datetimes are datetime64, strings pandas' str.

    nullable=True: Int64 / Float64 / boolean (exact, for publishing); nullable=False:
    float64 with NaN and object booleans (what GX 1.24's pandas metrics handle)."""
    if not isinstance(table, CheckedTable):
        table = check_table(Path(table), schema, Report("", str(table)), file=str(table))
    return pd.DataFrame({spec.name: _series(table.typed[spec.name], spec.type, nullable)
                         for spec in schema.fields if spec.name in table.typed})


def _source_label(spec: DatasetSpec, table: Path) -> str:
    source = spec.source
    if source.type == "file":
        return source.path.as_posix()
    return str(getattr(source, "url", table.name))


def validate_table(table: Path, spec: DatasetSpec, *, root: Path) -> Report:
    """Check a normalised CSV against the dataset's schema and suite; one Report."""
    schema = load_schema(root / spec.schema_path, root=root)
    suite = load_suite(root / spec.suite_path, schema, root=root) if spec.suite_path else None
    return validate_with(table, schema, suite, dataset=spec.name,
                         file=_source_label(spec, table), codelists=load_codelists(schema, root))


def validate_with(table: Path, schema: TableSchema, suite: Suite | None, *, dataset: str,
                  file: str, codelists: dict[str, pa.Table] | None = None,
                  cap: int | None = None) -> Report:
    """The stage without a catalogue: schema checks, then the suite when the data can be
    typed (header matches the schema, file readable); otherwise a `suite-skipped` warning."""
    report = Report(dataset, file) if cap is None else Report(dataset, file, cap=cap)
    started = time.perf_counter()
    checked = check_table(Path(table), schema, report, file=file, codelists=codelists)
    report.stats["fields"] = len(schema.fields)
    report.stats["schema_seconds"] = round(time.perf_counter() - started, 3)
    if suite is not None and suite.expectations:
        if not checked.structure_ok or checked.num_rows == 0:
            report.add(Finding("suite-skipped", message("suite-skipped"), "warning", file,
                               details={"suite": suite.name}))
        else:
            started = time.perf_counter()
            run_suite(suite, typed_frame(checked, schema, nullable=False), report, file=file)
            report.stats["suite_seconds"] = round(time.perf_counter() - started, 3)
    return report
