"""A parser for the subset of Solr/Lucene query syntax that CKAN and its users send, compiled
to a PostgreSQL WHERE clause with bound parameters.

Supported: `field:value`, `field:"quoted value"`, `field:(a OR b)`, `field:*`, `*:*`,
trailing-wildcard prefixes (`name:abc*`), `+`/`-`/`NOT` prefixes, `AND`/`OR`, parentheses and
free text (diacritic-insensitive, against the weighted full-text vector). Fielded text
(`title:`, `notes:`, `res_name:` …) matches that field's folded words; other fields match
exact values (as Solr's string fields do). Fields must be known: CKAN's schema fields,
`extras_*`/`res_extras_*`/`vocab_*`, or a field some dataset *the caller can read* has (a
field only private datasets have answers exactly like an unknown field).

Anything else — ranges, fuzzy/proximity `~`, boosts `^`, inner wildcards, local params
`{!…}`, unknown fields — raises QueryError, which the plugin turns into CKAN's
SearchQueryError (HTTP 400 from the API): never silently wrong results. Free text without a
colon is parsed like Solr's dismax: punctuation there is plain text.

Bounded work: a NUL character, a text longer than `Budget.max_chars`, parentheses nested
deeper than `Budget.max_depth` and more terms (or folded words) than `Budget.max_terms` per
search are refused before any SQL is built (limits.py holds the portal's values).

This module does not import CKAN, so it is tested from the project's own environment
(tests/portal/ckanext/).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .fields import TEXT_FIELDS
from .text import tokens


class QueryError(ValueError):
    """A search request this backend refuses; the message says why and what to do."""


@dataclass
class Budget:
    """What one search may spend: terms and folded words over q and every fq together.

    ``None`` means unbounded (internal use, e.g. index deletes by query).
    """

    max_terms: int | None = None
    max_depth: int | None = None
    max_chars: int | None = None
    terms: int = 0
    words: int = 0

    def check_text(self, text: str, param: str) -> None:
        """Refuse NUL characters and over-long texts before tokenizing."""
        if "\x00" in text:
            raise QueryError(
                f"The search parameter '{param}' contains a NUL character (\\x00), which no "
                "search can contain; remove it."
            )
        if self.max_chars is not None and len(text) > self.max_chars:
            raise QueryError(
                f"The search parameter '{param}' is {len(text)} characters long; this portal "
                f"accepts at most {self.max_chars}. Shorten the search."
            )

    def spend_terms(self, count: int, param: str) -> None:
        """Count query terms (words, phrases, field:value) against the limit."""
        self.terms += count
        if self.max_terms is not None and self.terms > self.max_terms:
            raise QueryError(
                f"Too many search terms (at '{param}': {self.terms} so far); this portal "
                f"accepts at most {self.max_terms} terms per search, q and fq together. "
                "Use fewer terms or split the search."
            )

    def spend_words(self, count: int) -> None:
        """Count folded words of text matches ("a.b.c" is three) against the limit."""
        self.words += count
        if self.max_terms is not None and self.words > self.max_terms:
            raise QueryError(
                f"Too many words to search for ({self.words}); this portal accepts at most "
                f"{self.max_terms} words per search. Use fewer words."
            )


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


def _tokenize(text: str, max_depth: int | None = None, param: str = "q") -> list[tuple[str, str]]:
    """Tokens of Lucene syntax; refuses parentheses nested deeper than `max_depth`."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    depth = 0
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            depth += 1 if ch == "(" else -1
            if max_depth is not None and depth > max_depth:
                raise QueryError(
                    f"The search parameter '{param}' nests parentheses more than {max_depth} "
                    "levels deep, more than this portal accepts; flatten the query."
                )
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
                raise QueryError(f"Unbalanced quotes in query: {text!r}")
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
    def __init__(
        self,
        text: str,
        default_field: str | None,
        budget: Budget | None = None,
        param: str = "q",
        checked: bool = False,
    ) -> None:
        budget = budget or Budget()
        if not checked:
            budget.check_text(text, param)
        if "{!" in text:
            raise QueryError(
                f"Local parameters ({{!…}}) in '{param}' are not supported by this portal's search."
            )
        self.text = text
        self.toks = _tokenize(text, budget.max_depth, param)
        budget.spend_terms(sum(1 for kind, _ in self.toks if kind in ("WORD", "QUOTED")), param)
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
            raise QueryError(f"Unexpected {rest[1]!r} in query {self.text!r}")
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
            raise QueryError(f"Query ends too early: {self.text!r}")
        if tok[0] == "(":
            self.take()
            node = self.or_expr()
            if self.kind() != ")":
                raise QueryError(f"Unbalanced parentheses in query {self.text!r}")
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
                raise QueryError(f"Missing value after {fname}: in {self.text!r}")
            return self._value_match(self.default_field, word)
        raise QueryError(f"Unexpected {tok[1]!r} in query {self.text!r}")

    def _field_group(self, fname: str) -> Node:
        """`field:(a OR "b c" OR d*)`"""
        ops: list[str] = []
        items: list[Node] = []
        while True:
            tok = self.peek()
            if tok is None:
                raise QueryError(f"Unbalanced parentheses in query {self.text!r}")
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
                    raise QueryError(f"Unsupported group in query {self.text!r}")
                items.append(Not(Match(fname, nxt[1], "phrase" if nxt[0] == "QUOTED" else "term")))
            else:
                raise QueryError(f"Unsupported group in query {self.text!r}")
        if not items:
            raise QueryError(f"Empty group for {fname} in {self.text!r}")
        op = "and" if ops and all(o == "AND" for o in ops) else "or"
        return items[0] if len(items) == 1 else Bool(op, items)

    def _value_match(self, fname: str | None, value: str) -> Node:
        """One value: exact, `*` (field present) or trailing-`*` prefix; rejects the rest."""
        if _UNSUPPORTED_CHARS & set(value):
            raise QueryError(
                f"Unsupported query syntax in {value!r} (ranges, fuzzy ~, boosts ^ are not "
                "supported by this portal's search)"
            )
        if value == "*":
            return Match(fname, "*", "any") if fname else All()
        if "?" in value or "*" in value[:-1]:
            raise QueryError(f"Unsupported wildcard in {value!r}: only a trailing * is supported")
        if value.endswith("*"):
            return Match(fname, value[:-1], "prefix")
        return Match(fname, value, "term")


def parse(
    text: str, default_field: str | None = None, budget: Budget | None = None, param: str = "q"
) -> Node:
    """Parse Lucene-style syntax (the subset described in the module docstring)."""
    return _Parser(text, default_field, budget, param).parse()


def parse_free_text(text: str, budget: Budget | None = None, param: str = "q") -> Node:
    """Dismax-style user text: every word must match (diacritic-insensitive).

    As in Solr's dismax parser, only quotes, +/- and AND/OR/NOT are syntax; other
    punctuation ("ở đâu?", "(a)", "x~2") is plain text, i.e. a word separator, and
    unbalanced quotes are dropped.
    """
    budget = budget or Budget()
    budget.check_text(text, param)
    if "{!" in text:
        raise QueryError(
            f"Local parameters ({{!…}}) in '{param}' are not supported by this portal's search."
        )
    plain = _DISMAX_PLAIN.sub(" ", text)
    if plain.count('"') % 2:
        plain = plain.replace('"', " ")
    return _Parser(plain, None, budget, param, checked=True).parse()


def is_free_text(q: str, def_type: str | None) -> bool:
    """Whether CKAN searches `q` as dismax free text (no colon), as core decides it."""
    return def_type in ("dismax", "edismax") and ":" not in q


def parse_q(q: str, def_type: str | None, budget: Budget | None = None) -> Node:
    """CKAN's `q`: free text (dismax) or Lucene syntax, as core would send it to Solr."""
    if is_free_text(q, def_type):
        return parse_free_text(q, budget, "q")
    return parse(q, None, budget, "q")


def is_match_all(q: str | None) -> bool:
    """`q` that matches everything (absent, empty, `*:*`, an empty quoted string)."""
    return not q or q.strip() in ("*:*", '""', "''")


# ----------------------------------------------------------------------------- compiler


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

#: the filter CKAN adds to every search of a caller who is not a sysadmin:
#: `+permission_labels:("public" OR "member-<org id>" OR "creator-<user id>" …)`
VISIBILITY_PREFIX = "+permission_labels:"


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


class Compiler:
    """Turns parse trees into SQL; every value is a bound parameter, never SQL text."""

    def __init__(self, has_field: FieldCheck | None = None, budget: Budget | None = None) -> None:
        self.params: dict[str, Any] = {}
        self.rank_queries: list[str] = []
        self.has_field = has_field
        self.budget = budget or Budget()

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
) -> Compiled:
    """Compile CKAN's q (ranked) and fq list (filters) into one WHERE clause.

    Field names that are neither schema fields nor prefixed extras are looked up with
    `has_field`, among the datasets the visibility filters let the caller read only.
    """
    budget = budget or Budget()
    comp = Compiler(None, budget)
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


SORTABLE_COLUMNS = {
    "score": "score",
    "title_string": "sort_title",
    "name": "doc->>'name'",
    "metadata_modified": "doc->>'metadata_modified'",
    "metadata_created": "doc->>'metadata_created'",
}


def compile_sort(
    sort: str | None, comp_params: dict[str, Any], max_clauses: int | None = None
) -> str:
    """`score desc, metadata_modified desc` → an ORDER BY list (field names bound)."""
    if not sort or not sort.strip():
        sort = "score desc, metadata_modified desc"
    clauses = sort.split(",")
    if max_clauses is not None and len(clauses) > max_clauses:
        raise QueryError(
            f'Invalid "sort" parameter: {len(clauses)} sort fields; this portal sorts by at '
            f"most {max_clauses}."
        )
    out: list[str] = []
    for part in clauses:
        bits = part.split()
        if len(bits) != 2 or bits[1].lower() not in ("asc", "desc"):
            raise QueryError(f'Invalid "sort" parameter: {sort!r}')
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
            raise QueryError(
                f'Invalid "sort" parameter: cannot sort by {fname!r} (page-view tracking is '
                "not available in this portal's search)"
            )
        else:
            raise QueryError(f'Invalid "sort" parameter: cannot sort by {fname!r}')
        out.append(f"{expr} {direction} NULLS LAST")
    out.append("doc->>'id' ASC")
    return ", ".join(out)
