"""The search backend's query language: CKAN's Solr/Lucene subset compiled to PostgreSQL.

One name for what the backend, the limits and the tests use, split by job:

- budget.py: what one search may spend (terms, words, characters, nesting), QueryError;
- syntax.py: the tokenizer and parser (field:value, phrases, groups, prefixes, ranges,
  +/-/NOT, AND/OR, dismax free text) into a tree;
- ranges.py: range bounds — Solr dates with date math (NOW-1DAY, NOW/DAY) and numbers;
- compiler.py: the tree as one WHERE clause with bound parameters, on the index table's
  columns (index.py), and the ORDER BY of a sort.

Anything the backend does not support raises QueryError, which the plugin turns into CKAN's
SearchQueryError (HTTP 400 from the API): never silently wrong results. None of these
modules imports CKAN, so they are tested from the project's own environment
(tests/portal/ckanext/).
"""

from __future__ import annotations

from .budget import Budget, QueryError
from .compiler import (
    VISIBILITY_PREFIX,
    Compiled,
    Compiler,
    RangeFields,
    check_field,
    compile_query,
    compile_sort,
    entry,
    sort_keys,
    term,
    visibility_filters,
)
from .fields import ALL_TEXT_FIELDS, SCHEMA_FIELDS, SCHEMA_PREFIXES
from .syntax import (
    All,
    Bool,
    Match,
    Node,
    Not,
    Range,
    is_free_text,
    is_match_all,
    parse,
    parse_free_text,
    parse_q,
)

__all__ = [
    "ALL_TEXT_FIELDS",
    "SCHEMA_FIELDS",
    "SCHEMA_PREFIXES",
    "VISIBILITY_PREFIX",
    "All",
    "Bool",
    "Budget",
    "Compiled",
    "Compiler",
    "Match",
    "Node",
    "Not",
    "QueryError",
    "Range",
    "RangeFields",
    "check_field",
    "compile_query",
    "compile_sort",
    "entry",
    "is_free_text",
    "is_match_all",
    "parse",
    "parse_free_text",
    "parse_q",
    "sort_keys",
    "term",
    "visibility_filters",
]
