"""Write the normalised CSV every later stage reads, applying the agency's conventions.

Input: the agency's header and rows of cells — text (a CSV, text cells of a spreadsheet or a
JSON answer) or typed values (numbers, dates, booleans from Excel, JSON, SQL).

- **Header**: each label is matched (NFC, spaces and line breaks collapsed) to
  ``conventions.columns`` (agency header → schema field; ``null`` drops the column) or to a
  schema field name. When ``conventions.columns`` is declared, an unknown label or a schema
  field with no column stops the pull with the list of expected fields. Without it, labels
  pass through and validation reports any mismatch.
- **Typed values** are written canonically (``1234567.5``, ``2024-05-01``, ``true``);
  conventions never touch them.
- **Text** goes through the conventions by the field's type in the dataset's Frictionless
  schema: ``null_markers`` → empty (null); ``true_values``/``false_values`` for boolean
  fields (checked first, so "" may mean false); ``date_format`` for date fields;
  ``decimal_char``/``group_char`` for number and integer fields (groups must be of three
  digits, so "1.5" with group "." is not read as 15). A value a convention cannot parse is
  left as it is, so validation reports it with its row and field. Fields whose schema
  already declares the format (``format`` of a date, ``decimalChar``/``groupChar``,
  ``trueValues``) are left to validation.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.catalog.sources import Conventions, header_key
from dulieumo.errors import SourceError
from dulieumo.tables import RowRuns, SourceNotes

from .plainrows import PlainRows
from .totals import TotalRows

if TYPE_CHECKING:
    from .csvrows import CsvRecords

Cell = Any
Convert = Callable[[Cell], str]
_ISO_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00(\.0+)?)?$")


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    title: str = ""
    descriptor: dict[str, Any] = field(default_factory=dict)


def schema_fields(schema_file: Path) -> list[Field]:
    """The schema's fields; [] when it cannot be read (validation reports that itself)."""
    try:
        data = json.loads(schema_file.read_text(encoding="utf-8"))
        return [
            Field(f["name"], str(f.get("type", "string")), str(f.get("title", "")), f)
            for f in data.get("fields", [])
            if isinstance(f, dict) and "name" in f
        ]
    except (OSError, ValueError, TypeError, AttributeError):
        return []


def expected_list(fields: Sequence[Field]) -> str:
    return ", ".join(f"{f.name} ({f.title})" if f.title else f.name for f in fields)


# ------------------------------------------------------------------------------ header


@dataclass(frozen=True)
class Header:
    names: list[str]  # output header
    keep: list[int]  # input column index of each output column
    width: int  # number of input labels


def resolve_header(
    labels: Sequence[Any], fields: Sequence[Field], conventions: Conventions | None, where: str
) -> Header:
    """Agency labels → output names (see the module doc). ``where`` starts messages."""
    columns = {header_key(k): v for k, v in (conventions.columns if conventions else {}).items()}
    known = {f.name for f in fields}
    names: list[str] = []
    keep: list[int] = []
    unknown: list[str] = []
    for i, raw in enumerate(labels):
        label = header_key("" if raw is None else str(raw))
        if label in columns:
            target = columns[label]
            if target is None:
                continue
        elif label in known or not columns:
            target = label
        else:
            unknown.append(label or f"(blank, column {i + 1})")
            continue
        names.append(target)
        keep.append(i)
    if columns and fields:
        if unknown:
            raise SourceError(
                f"{where}: the column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(u) for u in unknown)} "
                f"{'are' if len(unknown) > 1 else 'is'} neither a field of the schema nor "
                f"mapped under `conventions.columns`. Expected fields: {expected_list(fields)}.",
                hint=f'Map it in the spec, e.g. conventions: columns: {{"{unknown[0]}": '
                "<field name>} (or null to drop the column), or ask the agency which "
                "column it is.",
            )
        missing = [f for f in fields if f.name not in names]
        if missing:
            raise SourceError(
                f"{where}: no column gives the field{'s' if len(missing) > 1 else ''} "
                f"{', '.join(f.name for f in missing)}. Columns found: "
                f"{', '.join(repr(header_key(str(x or ''))) for x in labels)}. Expected "
                f"fields: {expected_list(fields)}.",
                hint="Add the agency's header for it under `conventions.columns` in the spec, "
                "or ask the agency to add the column.",
            )
    for name in names:
        if names.count(name) > 1:
            raise SourceError(
                f"{where}: two columns give the field '{name}'.",
                hint="Check `conventions.columns` and the agency's header row.",
            )
    return Header(names, keep, len(labels))


# ------------------------------------------------------------------------------- cells


def _typed(value: Cell, ftype: str) -> str | None:
    """Canonical text of a typed value; None when ``value`` is text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        if value.is_integer() and ftype in ("integer", "year"):
            return str(int(value))
        return repr(value)
    if isinstance(value, decimal.Decimal):
        text = format(value, "f")
        if ftype == "integer" and "." in text and set(text.split(".")[1]) <= {"0"}:
            text = text.split(".")[0]
        return text
    if isinstance(value, dt.datetime):
        if ftype == "date" and value.time() == dt.time() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, dict | list):
        return unicodedata.normalize("NFC", json.dumps(value, ensure_ascii=False))
    return unicodedata.normalize("NFC", str(value))


def _number_pattern(decimal_char: str, group_char: str) -> re.Pattern[str]:
    d, g = re.escape(decimal_char), re.escape(group_char)
    whole = rf"(?:\d{{1,3}}(?:{g}\d{{3}})+|\d+)" if group_char else r"\d+"
    return re.compile(rf"^[+-]?{whole}(?:{d}\d+)?$")


def text_rule(f: Field | None, conventions: Conventions | None) -> Callable[[str], str] | None:
    """The convention that rewrites a text cell of field ``f`` (a declared boolean value, a
    ``date_format`` date, a ``1.234,5`` number); None when text passes as it is."""
    if conventions is None or f is None:
        return None
    c, ftype, d = conventions, f.type, f.descriptor
    if ftype == "boolean" and (c.true_values or c.false_values):
        yes = str((d.get("trueValues") or ["true"])[0])
        no = str((d.get("falseValues") or ["false"])[0])
        truth = {header_key(v).casefold(): yes for v in c.true_values} | {
            header_key(v).casefold(): no for v in c.false_values
        }

        def booleans(s: str) -> str:
            return truth.get(header_key(s).casefold(), s)

        return booleans
    if ftype == "date" and c.date_format and d.get("format", "default") == "default":
        fmt = c.date_format

        def dates(s: str) -> str:
            try:
                return dt.datetime.strptime(s.strip(), fmt).date().isoformat()
            except ValueError:
                return s

        return dates
    if (
        ftype in ("number", "integer")
        and (c.decimal_char != "." or c.group_char)
        and not any(k in d for k in ("decimalChar", "groupChar", "bareNumber"))
    ):
        pattern = _number_pattern(c.decimal_char, c.group_char)
        dec, grp = c.decimal_char, c.group_char

        def numbers(s: str) -> str:
            stripped = s.strip()
            if not pattern.match(stripped):
                return s
            if ftype == "integer" and dec in stripped:
                return s  # 1,5 is no integer: left for validation to report
            return (stripped.replace(grp, "") if grp else stripped).replace(dec, ".")

        return numbers
    return None


def null_markers(conventions: Conventions | None) -> set[str]:
    """The null markers as cells are compared with them (``header_key``)."""
    return {header_key(m) for m in conventions.null_markers} if conventions else set()


def cell_converter(f: Field | None, conventions: Conventions | None) -> Convert:
    """The function turning one cell of field ``f`` into its normalised text."""
    ftype = f.type if f else "string"
    markers = null_markers(conventions)
    rule = text_rule(f, conventions)
    apply: Callable[[str], str] = rule or (lambda s: s)
    declared = (
        {header_key(v).casefold() for v in conventions.true_values + conventions.false_values}
        if conventions and ftype == "boolean"
        else set()
    )

    def convert(value: Cell) -> str:
        typed = _typed(value, ftype)
        if typed is not None:
            return typed
        text = unicodedata.normalize("NFC", value)
        if declared and header_key(text).casefold() in declared:
            return apply(text)  # a declared boolean value wins over the null markers
        if markers and header_key(text) in markers:
            return ""
        if ftype == "date" and (m := _ISO_MIDNIGHT.match(text)):
            return m.group(1)  # a DataStore timestamp for a date field
        return apply(text)

    return convert


# ------------------------------------------------------------------------------ writer


@dataclass(frozen=True)
class Written:
    sha256: str
    size: int
    rows: int
    notes: SourceNotes = field(default_factory=SourceNotes)


#: spaces a text cell may carry invisibly: NBSP (Excel exports), narrow NBSP, zero-width
_EDGE = " \t\u00a0\u202f\u2007\u200b\ufeff"
_INNER = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u200b": ""})


def tidy(text: str) -> str:
    """Leading/trailing spaces and NBSP trimmed, inner NBSP → space."""
    return text.strip(_EDGE).translate(_INNER)


def trims(conventions: Conventions | None) -> bool:
    return conventions is None or conventions.trim_whitespace


class _HashingFile:
    """Text written to a binary file as UTF-8, its sha256 and size kept.

    ``write`` writes at once (so a cell that cannot be encoded, a lone surrogate from JSON,
    fails on its own row); ``later`` batches text known to encode (rows of printable cells,
    ``PlainRows``), written before anything else is."""

    BATCH = 512

    def __init__(self, fh: Any) -> None:
        self.fh, self.digest, self.size = fh, hashlib.sha256(), 0
        self.pending: list[str] = []

    def _put(self, data: bytes) -> None:
        self.digest.update(data)
        self.size += len(data)
        self.fh.write(data)

    def write(self, text: str) -> int:
        self.flush()
        self._put(text.encode("utf-8"))
        return len(text)

    def later(self, text: str) -> int:
        self.pending.append(text)
        if len(self.pending) >= self.BATCH:
            self.flush()
        return len(text)

    def flush(self) -> None:
        if self.pending:
            data = "".join(self.pending).encode("utf-8")
            self.pending.clear()
            self._put(data)


@dataclass(frozen=True)
class _Later:
    write: Callable[[str], int]


def write_table(
    out: Path,
    header: Header,
    rows: Iterable[Sequence[Cell]] | Iterable[tuple[int, Sequence[Cell]]],
    fields: Sequence[Field],
    conventions: Conventions | None,
    *,
    totals: TotalRows | None = None,
    sheet: str | None = None,
    source: CsvRecords | None = None,
) -> Written:
    """Write ``rows`` (cells in the agency's column order) as the normalised CSV.

    With ``totals`` the rows are ``(source row number, cells)``: total rows are left out and
    the notes say where each written row sits in the agency's file.

    A row that ``PlainRows`` finds already normalised is written as it is (only the cells
    under a text convention converted); any other row goes through every cell's converter,
    ``tidy`` and the total-row test. With ``source`` (the CSV ``rows`` come from), such a row
    is written as its line when ``source.verbatim`` has it."""
    by_name = {f.name: f for f in fields}
    types = [by_name[n].type if n in by_name else "string" for n in header.names]
    converters = [cell_converter(by_name.get(n), conventions) for n in header.names]
    plan = list(zip(header.keep, converters, strict=True))
    texts = [j for j, t in enumerate(types) if trims(conventions) and t == "string"]
    rules = [text_rule(by_name.get(n), conventions) for n in header.names]
    ruled = [(j, i, conv) for j, (i, conv) in enumerate(plan) if rules[j] is not None]
    dates = [i for j, i in enumerate(header.keep) if types[j] == "date" and rules[j] is None]
    plain = PlainRows(header.width, null_markers(conventions), dates, totals)
    keep = header.keep
    as_is = keep == list(range(header.width)) and not ruled  # a plain row is written as it is
    trimmed: dict[str, int] = {}
    runs = RowRuns()
    tmp = out.with_name(out.name + ".part")
    count = 0
    try:
        with tmp.open("wb") as fh:
            sink = _HashingFile(fh)
            writer = csv.writer(sink, lineterminator="\n")
            batched = csv.writer(_Later(sink.later), lineterminator="\n")
            writer.writerow(header.names)
            for item in rows:
                if totals is not None:
                    number, row = item
                else:
                    number, row = 0, item
                joined = source.joined if source is not None else None
                if plain.unchanged(row, number, joined):
                    if as_is:
                        cells = row
                        line = source.verbatim if source is not None else None
                        if line is not None:
                            sink.later(line)
                        else:
                            batched.writerow(cells)
                    else:
                        cells = [row[i] for i in keep]
                        for j, i, conv in ruled:
                            cells[j] = conv(row[i])
                        batched.writerow(cells)
                else:
                    if totals is not None and totals.skip(number, row):
                        if totals.found and totals.found[-1]["row"] == number:
                            values = [conv(row[i]) for i, conv in plan if i < len(row)]
                            totals.add_total(number, dict(zip(header.names, values, strict=False)))
                        continue
                    cells = _converted(row, plan, texts, header, trimmed)
                    writer.writerow(cells)
                count += 1
                if totals is not None:
                    runs.add(count + 1, number)
                    if totals.check:
                        totals.add_data(dict(zip(header.names, cells, strict=False)))
            sink.flush()
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    notes = SourceNotes(
        sheet=sheet,
        runs=runs.result(),
        total_rows=totals.found if totals else [],
        totals=totals.checks() if totals else [],
        trimmed=trimmed,
    )
    return Written(sink.digest.hexdigest(), sink.size, count, notes)


def _converted(
    row: Sequence[Cell],
    plan: list[tuple[int, Convert]],
    texts: list[int],
    header: Header,
    trimmed: dict[str, int],
) -> list[str]:
    """The row's cells through their converters and ``tidy`` (counted in ``trimmed``)."""
    width = len(row)
    cells = [conv(row[i]) for i, conv in plan if i < width]
    for j in texts:
        if j < len(cells) and cells[j]:
            clean = tidy(cells[j])
            if clean != cells[j]:
                cells[j] = clean
                trimmed[header.names[j]] = trimmed.get(header.names[j], 0) + 1
    if width > header.width:  # ragged row: keep the extra cells for validation
        cells += [
            _typed(v, "string") or unicodedata.normalize("NFC", v) for v in row[header.width :]
        ]
    return cells
