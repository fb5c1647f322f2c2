"""Parsing the subset of Solr/Lucene query syntax that CKAN and its users send into a tree.

Supported: `field:value`, `field:"quoted value"`, `field:(a OR b)`, `field:*`, `*:*`,
trailing-wildcard prefixes (`name:abc*`), ranges `field:[a TO b]` / `{a TO b}` (bounds
inclusive with square brackets, exclusive with curly ones, `*` for open; ranges.py reads the
bounds), `+`/`-`/`NOT` prefixes, `AND`/`OR`, parentheses and free text. Anything else —
fuzzy/proximity `~`, boosts `^`, inner wildcards, local params `{!…}` — raises QueryError.
Free text without a colon is parsed like Solr's dismax: punctuation there is plain text.

Bounded work: a NUL character, a text longer than `Budget.max_chars`, parentheses nested
deeper than `Budget.max_depth` and more terms than `Budget.max_terms` (a range is a term)
are refused before any SQL is built. This module does not import CKAN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .budget import Budget, QueryError

#: characters of Lucene syntax that free text (dismax) treats as plain text
_DISMAX_PLAIN = re.compile(r"[^\w\s\"+\-]")
FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_UNSUPPORTED_CHARS = set("[]{}~^")
#: a range's inside: `low TO high` (each bound a value, a quoted value or *)
_RANGE_BODY = re.compile(r'^\s*("[^"]*"|\S+)\s+TO\s+("[^"]*"|\S+)\s*$')


@dataclass
class Match:
    field: str | None  # None: free text
    value: str
    kind: str = "term"  # term | phrase | prefix | any


@dataclass
class Range:
    """`field:[low TO high]`; a bound of None is open (`*`); the bounds' text is read by the
    compiler (ranges.py), which knows whether the field holds dates or numbers."""

    field: str
    low: str | None
    high: str | None
    include_low: bool = True
    include_high: bool = True


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


Node = Match | Range | Bool | Not | All


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
        elif ch in "[{":
            j = i + 1
            while j < n and text[j] not in "]}":
                j += 1
            if j >= n:
                raise QueryError(
                    f"Unclosed range in '{param}': {text[i : i + 60]!r}; write a range as "
                    "field:[low TO high] (or {low TO high} to leave the bounds out)."
                )
            out.append(("RANGE", text[i : j + 1]))
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
                if buf and buf[-1] == ":" and j < n and text[j] in '("[{':
                    break  # `field:"…"`, `field:(…)` or `field:[… TO …]`
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
        budget.spend_terms(
            sum(1 for kind, _ in self.toks if kind in ("WORD", "QUOTED", "RANGE")), param
        )
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
            if ":" in word and not FIELD_RE.match(fname):
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
                if nxt and nxt[0] == "RANGE":
                    self.take()
                    return self._range(fname, nxt[1])
                raise QueryError(f"Missing value after {fname}: in {self.text!r}")
            return self._value_match(self.default_field, word)
        if tok[0] == "RANGE":
            raise QueryError(
                f"The range {tok[1]!r} has no field: write it as field:{tok[1]}, e.g. "
                "metadata_modified:[2020-01-01T00:00:00Z TO *]."
            )
        raise QueryError(f"Unexpected {tok[1]!r} in query {self.text!r}")

    def _range(self, fname: str, raw: str) -> Range:
        """`[low TO high]`, `{low TO high}` or mixed (`[low TO high}`), as Solr reads them."""
        found = _RANGE_BODY.match(raw[1:-1])
        if not found:
            raise QueryError(
                f"Cannot read the range {raw!r} of {fname!r}: write field:[low TO high], with "
                "* for an open bound, e.g. metadata_modified:[2020-01-01T00:00:00Z TO *]."
            )

        def bound(text: str) -> str | None:
            text = text[1:-1] if text.startswith('"') else text
            return None if text == "*" else text

        return Range(
            fname,
            bound(found.group(1)),
            bound(found.group(2)),
            include_low=raw[0] == "[",
            include_high=raw[-1] == "]",
        )

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
            elif tok[0] == "RANGE":
                items.append(self._range(fname, tok[1]))
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
                f"Unsupported query syntax in {value!r} (fuzzy ~ and boosts ^ are not "
                "supported by this portal's search; a range is written field:[low TO high])"
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
