"""Code lists (and other datasets' tables) a foreign key references, read for the checks."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .parse import typed_column, where
from .schema import TableSchema


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
        col = where(
            pc.invert(pc.fill_null(pc.is_in(col, value_set=pa.array(missing, pa.string())), False)),
            col,
        )
        out[name] = typed_column(col, spec)[1] if spec is not None else col
    return pa.table(out)
