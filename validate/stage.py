"""The validation stage: Table Schema checks, then the GX suite, into one Report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dulieumo.errors import SpecError

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema, load_schema
from .suite import load_suite, run_suite
from .table import CheckedTable, check_table, typed_column

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec


def load_codelists(schema: TableSchema, root: Path) -> dict[str, pa.Table]:
    """Code lists referenced by the schema's foreign keys: root/codelists/<resource>.csv."""
    out: dict[str, pa.Table] = {}
    columns: dict[str, set[str]] = {}
    for fk in schema.foreign_keys:
        if fk.resource:
            columns.setdefault(fk.resource, set()).update(fk.reference_fields)
    for fk in schema.foreign_keys:
        if fk.resource in out or not fk.resource:
            continue
        path = root / "codelists" / f"{fk.resource}.csv"
        if not path.is_file():
            raise SpecError(
                f"{schema.path}: foreignKeys: the code list '{fk.resource}' was not found "
                f"at codelists/{fk.resource}.csv.",
                hint="Add the code list, or fix `reference.resource` in the schema.")
        names = sorted(columns[fk.resource])
        out[fk.resource] = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names}, include_columns=list(names)))
    return out


def typed_frame(checked: CheckedTable, schema: TableSchema) -> pd.DataFrame:
    """The table with the schema's types; invalid or missing cells are nulls."""
    data = {}
    for spec in schema.fields:
        col = checked.table.column(spec.name)
        col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
        _, typed = typed_column(col, spec)
        valid = checked.valid[spec.name]
        typed = pc.if_else(valid, typed, pa.scalar(None, typed.type))
        series = typed.to_pandas()
        if spec.type in ("integer", "year"):
            series = series.astype("Int64")
        elif spec.type == "number":
            series = series.astype("Float64")
        elif spec.type == "boolean":
            series = series.astype("boolean")
        elif spec.type == "date":
            series = pd.to_datetime(series)
        data[spec.name] = series
    return pd.DataFrame(data)


def validate_table(table: Path, spec: DatasetSpec, *, root: Path) -> Report:
    """Check a normalised CSV against the dataset's schema and suite."""
    file = spec.source.path.as_posix() if spec.source.type == "file" else spec.source.url
    report = Report(spec.name, file)
    schema = load_schema(root / spec.schema_path, root=root)
    suite = load_suite(root / spec.suite_path, schema, root=root) if spec.suite_path else None
    checked = check_table(table, schema, report, file=file,
                          codelists=load_codelists(schema, root))
    report.stats["fields"] = len(schema.fields)
    if suite is not None and suite.expectations:
        if not checked.structure_ok or checked.table.num_columns == 0:
            report.add(Finding("suite-skipped", message("suite-skipped"), "warning", file))
        else:
            run_suite(suite, typed_frame(checked, schema), report, file=file)
    return report
