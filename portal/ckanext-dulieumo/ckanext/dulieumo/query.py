"""A parser for the subset of Solr/Lucene query syntax that CKAN and its users send, compiled
to a PostgreSQL WHERE clause with bound parameters.

Supported: `field:value`, `field:"quoted value"`, `field:(a OR b)`, `field:*`, `*:*`,
trailing-wildcard prefixes (`name:abc*`), `+`/`-`/`NOT` prefixes, `AND`/`OR`, parentheses and
free text (diacritic-insensitive, against the weighted full-text vector). Fielded text
(`title:`, `notes:`, `res_name:` …) matches that field's folded words; other fields match
exact values (as Solr's string fields do). Fields must be known: CKAN's schema fields,
`extras_*`/`res_extras_*`/`vocab_*`, or a field some indexed dataset has.

Anything else — ranges, fuzzy/proximity `~`, boosts `^`, inner wildcards, local params
`{!…}`, unknown fields — raises SearchQueryError, which CKAN's API answers with HTTP 400:
never silently wrong results. Free text without a colon is parsed like Solr's dismax:
punctuation there is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ckan.lib.search.common import SearchQueryError

from .index import TEXT_FIELDS
from .text import tokens

#: fields of CKAN's Solr schema (ckan/config/solr/schema.xml, 2.12) that can be queried
SCHEMA_FIELDS = {
    "index_id",
    "id",
    "site_id",
    "title",
    "title_ngram",
    "entity_type",
    "dataset_type",
    "state",
    "name",
    "name_ngram",
    "revision_id",
    "version",
    "url",
    "ckan_url",
    "download_url",
    "notes",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "license_id",
    "tags",
    "groups",
    "organization",
    "capacity",
    "permission_labels",
    "res_name",
    "res_description",
    "res_format",
    "res_url",
    "res_type",
    "text",
    "urls",
    "depends_on",
    "dependency_of",
    "derives_from",
    "has_derivation",
    "links_to",
    "linked_from",
    "child_of",
    "parent_of",
    "metadata_created",
    "metadata_modified",
    "title_string",
    "type",
    "owner_org",
    "creator_user_id",
    "num_resources",
    "num_tags",
}
#: dynamic fields of that schema (any name with these prefixes is a field)
SCHEMA_PREFIXES = ("extras_", "res_extras_", "vocab_")
#: full-text fields: matched against the weighted vector of everything
ALL_TEXT_FIELDS = {"text"}
#: characters of Lucene syntax that free text (dismax) treats as plain text
_DISMAX_PLAIN = re.compile(r"[^\w\s\"+\-]")
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_UNSUPPORTED_CHARS = set("[]{}~^")


@dataclass
class Match:
    field: str | None  # None: free text
    value: str
    kind: str = "term"  # term | phrase | prefix | any


@dataclass
class Bool:
    op: str  # and | or
    items: list[Node] = field(default_factory=list)


@dataclass
class Not:
    item: Node


@dataclass
class All:
    pass


Node = Match | Bool | Not | All


# ----------------------------------------------------------------------------- tokenizer


def _tokenize(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch))
            i += 1
        elif ch == '"':
            j, buf = i + 1, []
            while j < n and text[j] != '"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise SearchQueryError(f"Unbalanced quotes in query: {text!r}")
            out.append(("QUOTED", "".join(buf)))
            i = j + 1
        elif ch in "+-!" and i + 1 < n and not text[i + 1].isspace():
            out.append(("PREFIX", "-" if ch == "!" else ch))
            i += 1
        else:
            j, buf = i, []
            while j < n and not text[j].isspace() and text[j] not in '()"':
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
                if buf and buf[-1] == ":" and j < n and text[j] in '("':
                    break  # `field:"…"` or `field:(…)`
            word = "".join(buf)
            if word in ("AND", "&&"):
                out.append(("AND", word))
            elif word in ("OR", "||"):
                out.append(("OR", word))
            elif word == "NOT":
                out.append(("PREFIX", "-"))
            else:
                out.append(("WORD", word))
            i = j
    return out


# ----------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, default_field: str | None) -> None:
        if "{!" in text:
            raise SearchQueryError("Local parameters ({!…}) are not supported by this portal.")
        self.text = text
        self.toks = _tokenize(text)
        self.pos = 0
        self.default_field = default_field

    def peek(self) -> tuple[str, str] | None:
        """The next token, not consumed."""
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def kind(self) -> str:
        """The kind of the next token ("" at the end)."""
        tok = self.peek()
        return tok[0] if tok else ""

    def take(self) -> tuple[str, str]:
        """Consume the next token."""
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        """The whole query as one node."""
        if not self.toks:
            return All()
        node = self.or_expr()
        rest = self.peek()
        if rest is not None:
            raise SearchQueryError(f"Unexpected {rest[1]!r} in query {self.text!r}")
        return node

    def or_expr(self) -> Node:
        """a OR b OR …"""
        items = [self.and_expr()]
        while self.kind() == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Bool("or", items)

    def and_expr(self) -> Node:
        """a AND b, or juxtaposed clauses (q.op=AND, as CKAN sends)."""
        items = [self.unary()]
        while self.kind() not in ("", "OR", ")"):
            if self.kind() == "AND":
                self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else Bool("and", items)

    def unary(self) -> Node:
        """+clause, -clause, NOT clause."""
        tok = self.peek()
        if tok and tok[0] == "PREFIX":
            self.take()
            inner = self.primary()
            return Not(inner) if tok[1] == "-" else inner
        return self.primary()

    def primary(self) -> Node:
        """A parenthesised group, a phrase, `field:value` or a bare word."""
        tok = self.peek()
        if tok is None:
            raise SearchQueryError(f"Query ends too early: {self.text!r}")
        if tok[0] == "(":
            self.take()
            node = self.or_expr()
            if self.kind() != ")":
                raise SearchQueryError(f"Unbalanced parentheses in query {self.text!r}")
            self.take()
            return node
        if tok[0] == "QUOTED":
            self.take()
            return Match(self.default_field, tok[1], "phrase")
        if tok[0] == "WORD":
            self.take()
            word = tok[1]
            if word == "*:*":
                return All()
            fname, _, rest = word.partition(":")
            if ":" in word and not _FIELD_RE.match(fname):
                return self._value_match(self.default_field, word)  # "viện:" is just text
            if ":" in word:
                if rest:
                    return self._value_match(fname, rest)
                nxt = self.peek()
                if nxt and nxt[0] == "QUOTED":
                    self.take()
                    return Match(fname, nxt[1], "phrase")
                if nxt and nxt[0] == "(":
                    self.take()
                    node = self._field_group(fname)
                    return node
                raise SearchQueryError(f"Missing value after {fname}: in {self.text!r}")
            return self._value_match(self.default_field, word)
        raise SearchQueryError(f"Unexpected {tok[1]!r} in query {self.text!r}")

    def _field_group(self, fname: str) -> Node:
        """`field:(a OR "b c" OR d*)`"""
        ops: list[str] = []
        items: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None:
                raise SearchQueryError(f"Unbalanced parentheses in query {self.text!r}")
            self.take()
            if tok[0] == ")":
                break
            if tok[0] in ("OR", "AND"):
                ops.append(tok[0])
            elif tok[0] == "QUOTED":
                items.append(Match(fname, tok[1], "phrase"))
            elif tok[0] == "WORD":
                items.append(self._value_match(fname, tok[1]))
            elif tok[0] == "PREFIX" and tok[1] == "-":
                nxt = self.take()
                if nxt[0] not in ("WORD", "QUOTED"):
                    raise SearchQueryError(f"Unsupported group in query {self.text!r}")
                items.append(Not(Match(fname, nxt[1], "phrase" if nxt[0] == "QUOTED" else "term")))
            else:
                raise SearchQueryError(f"Unsupported group in query {self.text!r}")
        if not items:
            raise SearchQueryError(f"Empty group for {fname} in {self.text!r}")
        op = "and" if ops and all(o == "AND" for o in ops) else "or"
        return items[0] if len(items) == 1 else Bool(op, items)

    def _value_match(self, fname: str | None, value: str) -> Node:
        """One value: exact, `*` (field present) or trailing-`*` prefix; rejects the rest."""
        if _UNSUPPORTED_CHARS & set(value):
            raise SearchQueryError(
                f"Unsupported query syntax in {value!r} (ranges, fuzzy ~, boosts ^ are not "
                "supported by this portal's search)"
            )
        if value == "*":
            return Match(fname, "*", "any") if fname else All()
        if "?" in value or "*" in value[:-1]:
            raise SearchQueryError(
                f"Unsupported wildcard in {value!r}: only a trailing * is supported"
            )
        if value.endswith("*"):
            return Match(fname, value[:-1], "prefix")
        return Match(fname, value, "term")


def parse(text: str, default_field: str | None = None) -> Node:
    """Parse Lucene-style syntax (the subset described in the module docstring)."""
    return _Parser(text, default_field).parse()


def parse_free_text(text: str) -> Node:
    """Dismax-style user text: every word must match (diacritic-insensitive).

    As in Solr's dismax parser, only quotes, +/- and AND/OR/NOT are syntax; other
    punctuation ("ở đâu?", "(a)", "x~2") is plain text, i.e. a word separator, and
    unbalanced quotes are dropped.
    """
    if "{!" in text:
        raise SearchQueryError("Local parameters ({!…}) are not supported by this portal.")
    plain = _DISMAX_PLAIN.sub(" ", text)
    if plain.count('"') % 2:
        plain = plain.replace('"', " ")
    return _Parser(plain, None).parse()


# ----------------------------------------------------------------------------- compiler


@dataclass
class Compiled:
    """A WHERE clause, its bound parameters and the tsqueries that rank (from q)."""

    sql: str
    params: dict[str, Any]
    rank_queries: list[str]


FieldCheck = Callable[[str], bool]


def check_field(name: str, has_field: FieldCheck | None) -> None:
    """Raise SearchQueryError unless `name` is a field this backend can search.

    Known: CKAN's schema fields, its dynamic ``extras_*``/``res_extras_*``/``vocab_*``
    fields, and any field some indexed dataset has (an extra's bare key, a plugin's field).
    """
    if name in SCHEMA_FIELDS or name.startswith(SCHEMA_PREFIXES):
        return
    if has_field is not None and has_field(name):
        return
    raise SearchQueryError(
        f"Unknown search field {name!r}: it is not a CKAN index field and no dataset has an "
        "extra of that name (use extras_<key> for an extra)"
    )


class Compiler:
    """Turns parse trees into SQL; every value is a bound parameter, never SQL text."""

    def __init__(self, has_field: FieldCheck | None = None) -> None:
        self.params: dict[str, Any] = {}
        self.rank_queries: list[str] = []
        self.has_field = has_field

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
            return f"NOT ({self.compile(node.item)})"
        if isinstance(node, Bool):
            joiner = " AND " if node.op == "and" else " OR "
            return "(" + joiner.join(self.compile(i, rank) for i in node.items) + ")"
        return self.match(node, rank)

    def match(self, m: Match, rank: bool) -> str:
        """SQL for one field/value match."""
        fname = m.field
        if fname is not None:
            check_field(fname, self.has_field)
        if fname is None or fname in ALL_TEXT_FIELDS or fname in TEXT_FIELDS:
            if m.kind == "any":
                return (
                    "TRUE"
                    if fname is None or fname in ALL_TEXT_FIELDS
                    else (
                        "("
                        + " OR ".join(f"folded ? {self.param(f)}" for f in TEXT_FIELDS[fname])
                        + ")"
                    )
                )
            words = tokens(m.value)
            if not words:
                return "TRUE"
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
        values = (
            f"(CASE WHEN jsonb_typeof(doc->{self.param(fname)}) = 'array' "
            f"THEN doc->{self.param(fname)} "
            f"WHEN doc->{self.param(fname)} IS NULL THEN '[]'::jsonb "
            f"ELSE jsonb_build_array(doc->>{self.param(fname)}) END)"
        )
        if m.kind == "any":
            return (
                f"(doc->{self.param(fname)} IS NOT NULL AND "
                f"doc->>{self.param(fname)} <> '' AND doc->>{self.param(fname)} <> '[]')"
            )
        if m.kind == "prefix":
            pattern = m.value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            return (
                f"EXISTS (SELECT 1 FROM jsonb_array_elements_text({values}) AS e(v) "
                f"WHERE e.v LIKE {self.param(pattern)})"
            )
        return f"{values} @> jsonb_build_array(CAST({self.param(m.value)} AS text))"


def compile_query(
    q: str | None, fq: list[str], def_type: str | None, has_field: FieldCheck | None = None
) -> Compiled:
    """Compile CKAN's q (ranked) and fq list (filters) into one WHERE clause."""
    comp = Compiler(has_field)
    parts: list[str] = []
    if q and q.strip() not in ("*:*", '""', "''"):
        if def_type in ("dismax", "edismax") and ":" not in q:
            node = parse_free_text(q)
        else:
            node = parse(q)
        parts.append(comp.compile(node, rank=True))
    for item in fq:
        if item and item.strip():
            parts.append(comp.compile(parse(item)))
    return Compiled(" AND ".join(parts) or "TRUE", comp.params, comp.rank_queries)


SORTABLE_COLUMNS = {
    "score": "score",
    "title_string": "sort_title",
    "name": "doc->>'name'",
    "metadata_modified": "doc->>'metadata_modified'",
    "metadata_created": "doc->>'metadata_created'",
}


def compile_sort(
    sort: str | None, comp_params: dict[str, Any], has_field: FieldCheck | None = None
) -> str:
    """`score desc, metadata_modified desc` → an ORDER BY list."""
    if not sort or not sort.strip():
        sort = "score desc, metadata_modified desc"
    out: list[str] = []
    for part in sort.split(","):
        bits = part.split()
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise SearchQueryError(f'Invalid "sort" parameter: {sort!r}')
        fname, direction = bits[0], bits[1].upper()
        if fname in SORTABLE_COLUMNS:
            expr = SORTABLE_COLUMNS[fname]
        elif _FIELD_RE.match(fname) and not fname.startswith("views_"):
            # like Solr's catch-all dynamic field: a field no dataset has sorts as empty
            # (core's own home page sorts by the non-existent "view_recent")
            key = f"s{len(comp_params)}"
            comp_params[key] = fname
            expr = f"doc->>:{key}"
        elif fname.startswith("views_"):
            raise SearchQueryError(
                f'Invalid "sort" parameter: cannot sort by {fname!r} (page-view tracking is '
                "not available in this portal's search)"
            )
        else:
            raise SearchQueryError(f'Invalid "sort" parameter: cannot sort by {fname!r}')
        out.append(f"{expr} {direction} NULLS LAST")
    out.append("doc->>'id' ASC")
    return ", ".join(out)
