"""Compiling parse trees (syntax.py) into one PostgreSQL WHERE clause with bound parameters.

Exact matches (`organization:x`, `tags:"y"`, core's `+capacity:public`, the permission
labels) use the GIN-indexed ``terms`` column of the index table ("field=value" entries,
index.py); fielded text (`title:`, `notes:` …) matches that field's folded words; free text
the weighted full-text vector; ranges the ``modified``/``created`` timestamp columns or the
``ranges`` column (numbers; dates as seconds since 1970). Fields must be known: CKAN's
schema fields, `extras_*`/`res_extras_*`/`vocab_*`, a declared range field, or a field some
dataset *the caller can read* has (a field only private datasets have answers exactly like
an unknown field). Every value is a bound parameter, never SQL text.

This module does not import CKAN.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .budget import Budget, QueryError
from .fields import (
    ALL_TEXT_FIELDS,
    DATE_COLUMNS,
    DATE_FIELDS,
    NUMBER_FIELDS,
    SCHEMA_FIELDS,
    SCHEMA_PREFIXES,
    TERM_MAX_CHARS,
    TEXT_FIELDS,
    UNTERMED_FIELDS,
)
from .ranges import RangeKind, parse_bound
from .syntax import FIELD_RE, All, Bool, Match, Node, Not, Range, is_match_all, parse, parse_q
from .text import tokens


@dataclass
class Compiled:
    """A WHERE clause, its bound parameters and the tsqueries that rank (from q)."""

    sql: str
    params: dict[str, Any]
    rank_queries: list[str]
    visible_sql: str = "TRUE"  # what the caller may read (CKAN's permission filter)


FieldCheck = Callable[[str], bool]
#: (field name, SQL of what the caller may read, its parameters) → some readable doc has it
ScopedFieldCheck = Callable[[str, str, dict[str, Any]], bool]


@dataclass(frozen=True)
class RangeFields:
    """Which fields ranges accept: dates (also any `*_date`) and numbers."""

    dates: frozenset[str] = DATE_FIELDS
    numbers: frozenset[str] = NUMBER_FIELDS

    def kind(self, name: str) -> RangeKind | None:
        """ "date", "number" or None (ranges refused) for a field name."""
        if name in self.numbers:
            return "number"
        if name in self.dates or name.endswith("_date"):
            return "date"
        return None

    def names(self) -> str:
        """The declared fields, for messages."""
        return ", ".join([*sorted(self.dates | self.numbers), "*_date"])


#: the filter CKAN adds to every search of a caller who is not a sysadmin:
#: `+permission_labels:("public" OR "member-<org id>" OR "creator-<user id>" …)`
VISIBILITY_PREFIX = "+permission_labels:"


def entry(text: str) -> str:
    """A ``terms`` entry: the text, or "#" + its md5 when longer than TERM_MAX_CHARS
    (index.py derives the same in SQL)."""
    if len(text) > TERM_MAX_CHARS:
        return "#" + hashlib.md5(text.encode()).hexdigest()
    return text


def term(fname: str, value: str) -> str:
    """The ``terms`` entry of one exact field value."""
    return entry(f"{fname}={value}")


def check_field(name: str, has_field: FieldCheck | None) -> None:
    """Raise QueryError unless `name` is a field this backend can search.

    Known: CKAN's schema fields, its dynamic ``extras_*``/``res_extras_*``/``vocab_*``
    fields, and any field some dataset the caller can read has (an extra's bare key, a
    plugin's field). The message is the same for a field nobody has and for a field only
    datasets hidden from the caller have.
    """
    if name in SCHEMA_FIELDS or name.startswith(SCHEMA_PREFIXES):
        return
    if has_field is not None and has_field(name):
        return
    raise QueryError(
        f"Unknown search field {name!r}: it is not a CKAN index field and no dataset you can "
        "read has a field of that name (use extras_<key> for an extra)"
    )


def _termed(m: Node) -> bool:
    """An exact match the `terms` column answers."""
    return (
        isinstance(m, Match)
        and m.kind in ("term", "phrase")
        and m.field is not None
        and m.field not in ALL_TEXT_FIELDS
        and m.field not in TEXT_FIELDS
        and m.field not in UNTERMED_FIELDS
    )


class Compiler:
    """Turns parse trees into SQL; every value is a bound parameter, never SQL text."""

    def __init__(
        self,
        has_field: FieldCheck | None = None,
        budget: Budget | None = None,
        range_fields: RangeFields | None = None,
        now: datetime | None = None,
    ) -> None:
        self.params: dict[str, Any] = {}
        self.rank_queries: list[str] = []
        self.has_field = has_field
        self.budget = budget or Budget()
        self.range_fields = range_fields or RangeFields()
        self.now = now

    def param(self, value: Any) -> str:
        """Bind a value; returns its placeholder."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def compile(self, node: Node, rank: bool = False) -> str:
        """SQL for a node; text matches of q (rank=True) also feed the score."""
        if isinstance(node, All):
            return "TRUE"
        if isinstance(node, Not):
            inner = self.compile(node.item)
            if inner == "TRUE" and isinstance(node.item, Match):
                return "TRUE"  # "-" or "-?!" in free text: no words, nothing to exclude
            return f"NOT ({inner})"
        if isinstance(node, Bool):
            if node.op == "or" and len(node.items) > 1 and all(map(_termed, node.items)):
                # `permission_labels:("public" OR "member-…")`: one indexed overlap
                matches = [m for m in node.items if isinstance(m, Match)]
                for m in matches:
                    check_field(str(m.field), self.has_field)
                values = [term(str(m.field), m.value) for m in matches]
                return f"terms && CAST({self.param(values)} AS text[])"
            joiner = " AND " if node.op == "and" else " OR "
            return "(" + joiner.join(self.compile(i, rank) for i in node.items) + ")"
        if isinstance(node, Range):
            return self.range(node)
        return self.match(node, rank)

    def range(self, r: Range) -> str:
        """SQL for `field:[low TO high]` on a declared date or number field."""
        kind = self.range_fields.kind(r.field)
        if kind is None:
            raise QueryError(
                f"Cannot search {r.field!r} by range: ranges work on date and number fields "
                f"({self.range_fields.names()}). A portal administrator can declare more in "
                "ckan.ini (ckanext.dulieumo.search_date_fields, "
                "ckanext.dulieumo.search_number_fields)."
            )
        low = parse_bound(r.low, kind, r.field, self.now)
        high = parse_bound(r.high, kind, r.field, self.now)
        if r.field in DATE_COLUMNS:
            column = DATE_COLUMNS[r.field]
        else:
            column = f"CAST(ranges->>{self.param(r.field)} AS double precision)"
            low = low.timestamp() if isinstance(low, datetime) else low
            high = high.timestamp() if isinstance(high, datetime) else high
        parts = [f"{column} IS NOT NULL"]
        if low is not None:
            parts.append(f"{column} {'>=' if r.include_low else '>'} {self.param(low)}")
        if high is not None:
            parts.append(f"{column} {'<=' if r.include_high else '<'} {self.param(high)}")
        return "(" + " AND ".join(parts) + ")"

    def match(self, m: Match, rank: bool) -> str:
        """SQL for one field/value match."""
        fname = m.field
        if fname is not None:
            check_field(fname, self.has_field)
        if fname is None or fname in ALL_TEXT_FIELDS or fname in TEXT_FIELDS:
            return self.text_match(m, rank)
        if _termed(m):
            return f"terms @> ARRAY[CAST({self.param(term(fname, m.value))} AS text)]"
        values = (
            f"(CASE WHEN jsonb_typeof(doc->{self.param(fname)}) = 'array' "
            f"THEN doc->{self.param(fname)} "
            f"WHEN doc->{self.param(fname)} IS NULL THEN '[]'::jsonb "
            f"ELSE jsonb_build_array(doc->>{self.param(fname)}) END)"
        )
        has_key = (
            f"terms @> ARRAY[CAST({self.param(entry(fname))} AS text)]"
            if FIELD_RE.match(fname)
            else "TRUE"
        )
        if m.kind == "any":
            return (
                f"({has_key} AND doc->{self.param(fname)} IS NOT NULL AND "
                f"doc->>{self.param(fname)} <> '' AND doc->>{self.param(fname)} <> '[]')"
            )
        if m.kind == "prefix":
            pattern = m.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            return (
                f"({has_key} AND EXISTS (SELECT 1 FROM jsonb_array_elements_text({values}) "
                f"AS e(v) WHERE e.v LIKE {self.param(pattern)}))"
            )
        return f"{values} @> jsonb_build_array(CAST({self.param(m.value)} AS text))"

    def text_match(self, m: Match, rank: bool) -> str:
        """Free text, `text:` (the weighted vector) or a fielded text field's folded words."""
        fname = m.field
        if m.kind == "any":
            if fname is None or fname in ALL_TEXT_FIELDS:
                return "TRUE"
            return "(" + " OR ".join(f"folded ? {self.param(f)}" for f in TEXT_FIELDS[fname]) + ")"
        words = tokens(m.value)
        if not words:
            return "TRUE"
        self.budget.spend_words(len(words))
        if m.kind == "phrase":
            tsq = " <-> ".join(words)
        else:
            tsq = " & ".join(f"{w}:*" for w in words)
        if rank:
            self.rank_queries.append(tsq)
        if fname is None or fname in ALL_TEXT_FIELDS:
            return f"tsv @@ to_tsquery('simple', {self.param(tsq)})"
        # a fielded text query (title:…): that field's own folded text only
        text_sql = " || ' ' || ".join(
            f"coalesce(folded->>{self.param(f)}, '')" for f in TEXT_FIELDS[fname]
        )
        return f"to_tsvector('simple', {text_sql}) @@ to_tsquery('simple', {self.param(tsq)})"


def visibility_filters(fq: list[str]) -> list[str]:
    """The fq items that restrict a search to what the caller may read (see VISIBILITY_PREFIX).

    A caller can only narrow this scope: core appends its own item for every caller who is
    not a sysadmin, and the scope is the conjunction of all such items.
    """
    return [item for item in fq if item.lstrip().startswith(VISIBILITY_PREFIX)]


def compile_query(
    q: str | None,
    fq: list[str],
    def_type: str | None,
    has_field: ScopedFieldCheck | None = None,
    budget: Budget | None = None,
    range_fields: RangeFields | None = None,
) -> Compiled:
    """Compile CKAN's q (ranked) and fq list (filters) into one WHERE clause.

    Field names that are neither schema fields nor prefixed extras are looked up with
    `has_field`, among the datasets the visibility filters let the caller read only.
    """
    budget = budget or Budget()
    comp = Compiler(None, budget, range_fields)
    scope = visibility_filters(fq)
    visible_parts = [comp.compile(parse(item, None, budget, "fq")) for item in scope]
    visible_sql = " AND ".join(visible_parts) or "TRUE"
    visible_params = dict(comp.params)
    if has_field is not None:
        seen: dict[str, bool] = {}

        def readable_field(name: str) -> bool:
            if name not in seen:
                seen[name] = has_field(name, visible_sql, visible_params)
            return seen[name]

        comp.has_field = readable_field
    parts: list[str] = list(visible_parts)
    if q is not None and not is_match_all(q):
        parts.append(comp.compile(parse_q(q, def_type, budget), rank=True))
    for item in fq:
        if item and item.strip() and item not in scope:
            parts.append(comp.compile(parse(item, None, budget, "fq")))
    return Compiled(" AND ".join(parts) or "TRUE", comp.params, comp.rank_queries, visible_sql)


#: sort fields with their own columns in the index table
SORTABLE_COLUMNS = {
    "score": "score",
    "title_string": "sort_title",
    "name": "name",
    "metadata_modified": "modified",
    "metadata_created": "created",
}


def sort_keys(
    sort: str | None, comp_params: dict[str, Any], max_clauses: int | None = None
) -> list[tuple[str, str]]:
    """`score desc, metadata_modified desc` → [(SQL expression, ASC|DESC)], field names bound;
    the dataset id breaks ties last."""
    if not sort or not sort.strip():
        sort = "score desc, metadata_modified desc"
    clauses = sort.split(",")
    if max_clauses is not None and len(clauses) > max_clauses:
        raise QueryError(
            f'Invalid "sort" parameter: {len(clauses)} sort fields; this portal sorts by at '
            f"most {max_clauses}."
        )
    out: list[tuple[str, str]] = []
    for part in clauses:
        bits = part.split()
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise QueryError(f'Invalid "sort" parameter: {sort!r}')
        fname, direction = bits[0], bits[1].upper()
        if fname in SORTABLE_COLUMNS:
            expr = SORTABLE_COLUMNS[fname]
        elif FIELD_RE.match(fname) and not fname.startswith("views_"):
            # like Solr's catch-all dynamic field: a field no dataset has sorts as empty
            # (core's own home page sorts by the non-existent "view_recent")
            key = f"s{len(comp_params)}"
            comp_params[key] = fname
            expr = f"doc->>:{key}"
        elif fname.startswith("views_"):
            raise QueryError(
                f'Invalid "sort" parameter: cannot sort by {fname!r} (page-view tracking is '
                "not available in this portal's search)"
            )
        else:
            raise QueryError(f'Invalid "sort" parameter: cannot sort by {fname!r}')
        out.append((expr, direction))
    out.append(("id", "ASC"))
    return out


def compile_sort(
    sort: str | None, comp_params: dict[str, Any], max_clauses: int | None = None
) -> str:
    """`score desc, metadata_modified desc` → an ORDER BY list (field names bound)."""
    return ", ".join(
        f"{expr} {direction} NULLS LAST"
        for expr, direction in sort_keys(sort, comp_params, max_clauses)
    )
