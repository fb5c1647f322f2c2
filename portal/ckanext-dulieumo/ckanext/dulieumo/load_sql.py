"""The SQL of a bulk DataStore load (`dulieumo_datastore_load`), built from checked parameters.

The release's CSV is copied as text into work tables (each session's part of the file in
a temporary table; the rows of a table built from a base in an unlogged table of the
``dulieumo_load`` schema, which the DataStore's read-only user cannot see), numbered in file
order; INSERT … SELECT statements then cast every column to its declared type (the
same conversions as the row-by-row upsert: missing markers → NULL, the schema's true/false
words, date formats) and compute ``_full_text`` in bulk with the text-search configuration
the portal names. The full-text value is the one CKAN's per-row trigger computes: the
row's values as JSON text, joined by spaces, nulls left out, so search finds the same rows
whichever way a table was loaded.

Needs no CKAN import: tests check the SQL on PostgreSQL directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: DataStore types a release may declare, and how their JSON text is written
TYPES = {
    "text": "text",
    "int4": "number",
    "int8": "number",
    "numeric": "number",
    "bool": "json",
    "date": "json",
    "timestamp": "json",
    "timestamptz": "json",
    "time": "json",
    "json": "json",
}
#: a column name as CKAN accepts it (no leading underscore, no quote, bounded)
FIELD_NAME = re.compile(r"^[^_\"\x00-\x1f][^\"\x00-\x1f]{0,62}$")
#: PostgreSQL to_date/to_timestamp patterns a spec's strptime format may become
PG_FORMAT = re.compile(r"^[A-Za-z0-9 :/.,T+-]{1,40}$")
MAX_WORDS = 20


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL in a literal")
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Column:
    name: str
    type: str
    true_values: list[str] = field(default_factory=list)
    false_values: list[str] = field(default_factory=list)
    format: str | None = None  # a PostgreSQL to_date / to_timestamp pattern


#: the schema of a load's work tables: not granted to the DataStore's read-only user
WORK_SCHEMA = "dulieumo_load"


WORK_KINDS = ("src", "drop")
#: one session's part of the file (a temporary table: each session has its own)
PART = "pg_temp.dulieumo_part"


def work_tag(resource_id: str) -> str:
    """The tag naming one load's work tables and its advisory lock."""
    return resource_id.replace("-", "")[:40]


def work_tables(tag: str) -> tuple[str, str]:
    """(source, dropped keys): the qualified names of the work tables of load ``tag``."""
    src, drop = (f"{WORK_SCHEMA}.{quote(kind + '_' + tag)}" for kind in WORK_KINDS)
    return src, drop


def tag_of(table: str) -> str | None:
    """The load tag of a work table's name (None for another table)."""
    kind, _, tag = table.partition("_")
    return tag if kind in WORK_KINDS and tag else None


@dataclass
class LoadPlan:
    table: str
    columns: list[Column]
    missing: list[str]
    language: str
    src: str = f"{WORK_SCHEMA}.src"
    drop: str = f"{WORK_SCHEMA}.drop"

    @property
    def names(self) -> str:
        return ", ".join(quote(c.name) for c in self.columns)

    def source_table(self, part: bool = False) -> str:
        """The work table of text columns, ``_n`` numbering its rows in file order; a
        ``part``'s is a temporary table of its session (``PART``)."""
        cols = ", ".join(f"{quote(c.name)} text" for c in self.columns)
        if part:
            return (
                f"CREATE TEMP TABLE {PART} (_n bigint GENERATED ALWAYS AS IDENTITY, {cols}) "
                "ON COMMIT DROP"
            )
        return f"CREATE UNLOGGED TABLE {self.src} (_n bigint GENERATED ALWAYS AS IDENTITY, {cols})"

    def copy(self, header: list[str], *, part: bool = False, with_header: bool = True) -> str:
        """COPY of the file (or of a part of it: ``part``) as it is: the header must name
        exactly the declared fields; a part after the first has no header line. FREEZE
        (the table is created in the same transaction): its rows are written frozen, so
        the sessions reading them set no hint bits on its pages."""
        cols = ", ".join(quote(h) for h in header)
        into = PART if part else self.src
        head = "HEADER MATCH, " if with_header else ""
        return (
            f"COPY {into} ({cols}) FROM STDIN WITH (FORMAT csv, {head}"
            f"ENCODING 'UTF8', FREEZE, FORCE_NOT_NULL ({cols}))"
        )

    def drop_work_tables(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.src}", f"DROP TABLE IF EXISTS {self.drop}"]

    def _missing(self, col: str) -> str:
        if not self.missing:
            return col
        words = ", ".join(literal(m) for m in self.missing)
        return f"CASE WHEN {col} IN ({words}) THEN NULL ELSE {col} END"

    def cast(self, column: Column, prefix: str = "") -> str:
        """The typed value of one text column of the source table (`prefix`: "alias.")."""
        raw = prefix + quote(column.name)
        value = self._missing(raw)
        t = column.type
        if t == "text":
            return value
        if t == "bool":
            whens = ""
            if column.true_values:
                whens += f" WHEN {raw} IN ({', '.join(map(literal, column.true_values))}) THEN true"
            if column.false_values:
                falses = ", ".join(map(literal, column.false_values))
                whens += f" WHEN {raw} IN ({falses}) THEN false"
            if not whens:
                return f"({value})::bool"
            return f"CASE{whens} ELSE ({value})::bool END"
        if column.format and t == "date":
            return f"to_date({value}, {literal(column.format)})"
        if column.format and t in ("timestamp", "timestamptz"):
            return f"to_timestamp({value}, {literal(column.format)})::{t}"
        return f"({value})::{t}"

    def full_text(self, alias: str) -> str:
        """CKAN's trigger value: to_tsvector of the non-null values as JSON text."""
        parts = []
        for c in self.columns:
            col = f"{alias}.{quote(c.name)}"
            kind = TYPES[c.type]
            if kind == "text" or kind == "number":
                parts.append(f"{col}::text")
            else:
                parts.append(f"(to_json({col}) #>> '{{}}')")
        joined = ", ".join(parts)
        return f"to_tsvector({literal(self.language)}::regconfig, concat_ws(' ', {joined}))"

    def _typed_source(self, where: str = "", src: str | None = None) -> str:
        casts = ", ".join(f"{self.cast(c)} AS {quote(c.name)}" for c in self.columns)
        # OFFSET 0 keeps the subquery whole: pulled up, each cast would be computed twice
        # (once for its column, once inside the full-text value)
        return f"(SELECT _n, {casts} FROM {src or self.src}{where} OFFSET 0) s"

    def _source_values(self) -> str:
        return ", ".join(f"s.{quote(c.name)}" for c in self.columns)

    def insert_part(self, offset: int) -> str:
        """The rows of a session's part (``PART``), typed, with their full-text value; a
        row's ``_id`` is its number in the file (``offset``: the rows of the parts before)."""
        return (
            f"INSERT INTO {quote(self.table)} (_id, {self.names}, _full_text) "
            f"SELECT s._n + {int(offset)}, {self._source_values()}, {self.full_text('s')} "
            f"FROM {self._typed_source(src=PART)}"
        )

    def keep_from_base(self, base: str, key: list[str], part: int = 0, parts: int = 1) -> str:
        """The previous table's rows whose key is not dropped (those whose ``_id`` is
        ``part`` modulo ``parts``), with their own _id and full-text value."""
        match = " AND ".join(f"d.{quote(k)} = b.{quote(k)}" for k in key)
        share = f"b._id % {int(parts)} = {int(part)} AND " if parts > 1 else ""
        return (
            f"INSERT INTO {quote(self.table)} (_id, {self.names}, _full_text) "
            f"SELECT b._id, {', '.join('b.' + quote(c.name) for c in self.columns)}, "
            f"b._full_text FROM {quote(base)} b WHERE {share}NOT EXISTS "
            f"(SELECT 1 FROM {self.drop} d WHERE {match})"
        )

    def drop_table(self, key: list[str]) -> str:
        by_name = {c.name: c for c in self.columns}
        cols = ", ".join(f"{quote(k)} {by_name[k].type}" for k in key)
        return f"CREATE UNLOGGED TABLE {self.drop} ({cols})"

    def fill_drop(self, key: list[str]) -> str:
        """The dropped keys, typed like the table (given as one text array per key field)."""
        by_name = {c.name: c for c in self.columns}
        arrays = ", ".join(f":k{i}" for i in range(len(key)))
        casts = ", ".join(self.cast(by_name[k], "u.") for k in key)
        names = ", ".join(quote(k) for k in key)
        return (
            f"INSERT INTO {self.drop} ({names}) SELECT {casts} FROM unnest({arrays}) AS u({names})"
        )

    def insert_changed(self, base: str, key: list[str]) -> str:
        """The changed and added rows; a changed row keeps the _id it had."""
        match = " AND ".join(f"b.{quote(k)} = s.{quote(k)}" for k in key)
        seq = f"pg_get_serial_sequence({literal(quote(self.table))}, '_id')"
        return (
            f"INSERT INTO {quote(self.table)} (_id, {self.names}, _full_text) "
            f"SELECT coalesce((SELECT b._id FROM {quote(base)} b WHERE {match}), "
            f"nextval({seq})), {self._source_values()}, {self.full_text('s')} "
            f"FROM {self._typed_source()} ORDER BY s._n"
        )

    def reset_sequence(self) -> str:
        seq = f"pg_get_serial_sequence({literal(quote(self.table))}, '_id')"
        return f"SELECT setval({seq}, greatest((SELECT max(_id) FROM {quote(self.table)}), 1))"


def words(value: Any, what: str) -> list[str]:
    if value is None:
        return []
    if (
        not isinstance(value, list)
        or len(value) > MAX_WORDS
        or not all(isinstance(v, str) and len(v) <= 100 and "\x00" not in v for v in value)
    ):
        raise ValueError(f"{what} must be a list of at most {MAX_WORDS} short texts")
    return list(value)
