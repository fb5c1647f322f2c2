"""Spreadsheet formula injection (CSV injection): cells that would run as formulas.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula
for Excel / LibreOffice (``=HYPERLINK(...)``, ``@SUM(...)``, ``-2+3+cmd|...``). As the spec's
``quality.formula_injection`` declares, such cells are

- ``escape`` (default): prefixed with ``'`` in the CSV that is published (finding
  ``formula-escaped``, a warning, so the officer sees which cells were changed), or
- ``reject``: the file is refused (finding ``formula-injection``, an error).

Only text fields (``string``/``any``) are looked at: numbers in numeric fields (``-5``) are
never touched, and a text cell that is just a signed number (``-5``, ``+84``) is no formula.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from .findings import Finding, Report
from .guard import redact
from .messages import message
from .schema import TableSchema

if TYPE_CHECKING:
    import pyarrow as pa

    from dulieumo.tables import PulledTable

TRIGGER_RX = r"^[=+\-@\t\r]"
NUMBER_RX = r"^[+-]?[0-9]+(?:[.,][0-9]+)*$"
_TRIGGER = re.compile(TRIGGER_RX)
_NUMBER = re.compile(NUMBER_RX)
FORMULA_CODES = ("formula-injection", "formula-escaped")


def text_fields(schema: TableSchema) -> list[str]:
    return [f.name for f in schema.fields if f.type in ("string", "any")]


def risky(column: pa.Array) -> pa.Array:
    """Mask of the cells a spreadsheet would run as a formula."""
    import pyarrow.compute as pc  # on the validation path only (the stage has it loaded)

    starts = pc.fill_null(pc.match_substring_regex(column, TRIGGER_RX), False)
    if not pc.any(starts).as_py():
        return starts
    number = pc.fill_null(pc.match_substring_regex(column, NUMBER_RX), False)
    return pc.and_(starts, pc.invert(number))


def is_risky(value: str) -> bool:
    return bool(_TRIGGER.match(value)) and not _NUMBER.match(value)


def escaped(value: str) -> str:
    return "'" + value if is_risky(value) else value


def check(
    columns: dict[str, pa.Array],
    schema: TableSchema,
    mode: str,
    report: Report,
    *,
    file: str,
    row_offset: int = 0,
) -> None:
    """Add formula findings for the text fields of `columns`; the fields concerned are kept
    in ``report.stats["formula_fields"]`` (what `protect` escapes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    code = "formula-injection" if mode == "reject" else "formula-escaped"
    severity = "error" if mode == "reject" else "warning"
    fields = report.stats.setdefault("formula_fields", [])
    for name in text_fields(schema):
        col = columns.get(name)
        if col is None:
            continue
        mask = risky(col)
        total = pc.sum(pc.cast(mask, pa.int64())).as_py() or 0
        if not total:
            continue
        if name not in fields:
            fields.append(name)
        room = max(report.cap - report.kept(code), 0)
        idx = pc.indices_nonzero(mask).slice(0, room)
        values = [redact(v) for v in pc.take(col, idx).to_pylist()] if room else []
        report.add_count(
            code,
            severity,
            total,
            [
                Finding(
                    code,
                    message(code, row=i + 2 + row_offset, field=name, value=v),
                    severity,
                    file,
                    i + 2 + row_offset,
                    name,
                    v,
                    {"mode": mode, "published_as": escaped(v)}
                    if mode == "escape"
                    else {"mode": mode},
                )
                for i, v in zip(idx.to_pylist(), values, strict=True)
            ],
        )


def escape_file(src: Path, dst: Path, fields: list[str]) -> int:
    """Copy the CSV `src` to `dst`, prefixing ``'`` to the risky cells of `fields`; streams
    row by row. Returns the number of cells escaped."""
    count = 0
    with (
        src.open(encoding="utf-8", newline="") as fin,
        dst.open("w", encoding="utf-8", newline="") as fout,
    ):
        reader = csv.reader(fin)
        writer = csv.writer(fout, lineterminator="\n")
        header = next(reader, None)
        if header is None:
            return 0
        writer.writerow(header)
        positions = [i for i, label in enumerate(header) if label in set(fields)]
        for row in reader:
            for i in positions:
                if i < len(row) and is_risky(row[i]):
                    row[i] = "'" + row[i]
                    count += 1
            writer.writerow(row)
    return count


def protect(table: PulledTable, report: Report, workdir: Path) -> PulledTable:
    """The table to publish: `table` itself when no cell needs escaping, else an escaped copy
    (with its own sha256 and size, so the release fingerprints what is uploaded)."""
    fields = list(report.stats.get("formula_fields") or [])
    if not fields or not report.counts.get("formula-escaped"):
        return table
    dst = workdir / f"{table.path.stem}.escaped.csv"
    escape_file(table.path, dst, fields)
    digest = hashlib.sha256()
    with dst.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return dataclasses.replace(table, path=dst, sha256=digest.hexdigest(), size=dst.stat().st_size)
