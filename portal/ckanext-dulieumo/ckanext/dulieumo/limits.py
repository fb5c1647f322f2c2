"""The bounds every search request must keep, and the facet fields it may ask for.

Checked twice: on the caller's own parameters (``before_dataset_search``, with these limits)
and on every query the backend answers, core's own included (``backend.search``, with
``SearchLimits.backstop()``: core adds its permission filter, one term per organisation of
the caller, to each query). A request over a limit is refused with a QueryError naming the
parameter, the limit and what to do; the plugin turns it into CKAN's SearchQueryError, which
the Action API answers with HTTP 400. (Core's own schema refuses negative or non-numeric
``rows``/``start``/``facet.mincount`` earlier, with its usual 409 Validation Error.)

Every limit is a ckan.ini option ``ckanext.dulieumo.search_<field>`` (e.g.
``ckanext.dulieumo.search_timeout_ms = 5000``). This module does not import CKAN.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from .query import Budget, QueryError, RangeFields, is_match_all, parse, parse_q

CONFIG_PREFIX = "ckanext.dulieumo.search_"
#: CKAN's default facets (config `search.facets`), which the dataset and group pages ask for
DEFAULT_FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id")
#: facets core asks for itself: organisation/group dataset counts
#: (ckan.lib.dictization.model_dictize.get_group_dataset_counts: groups and owner_org)
CORE_FACET_FIELDS = ("owner_org",)
#: ckan.ini option: more facet fields (space- or comma-separated), e.g. a plugin's facets
EXTRA_FACETS_OPTION = "ckanext.dulieumo.search_facet_fields"
#: ckan.ini options: more fields that range queries accept (space- or comma-separated)
DATE_FIELDS_OPTION = "ckanext.dulieumo.search_date_fields"
NUMBER_FIELDS_OPTION = "ckanext.dulieumo.search_number_fields"
#: the largest integer PostgreSQL's LIMIT/OFFSET/comparisons take without overflow here
INT_MAX = 2**31 - 1


@dataclass(frozen=True)
class SearchLimits:
    """Per-search bounds (each a ckan.ini option `ckanext.dulieumo.search_<name>`)."""

    timeout_ms: int = 5000  # every SQL statement of one search, together
    max_chars: int = 4000  # length of q, of each fq, of sort
    max_terms: int = 100  # terms (and folded words) over q and every fq together
    max_depth: int = 10  # nesting of parentheses in q or an fq
    max_facet_fields: int = 20  # entries of facet.field
    max_facet_values: int = 1000  # facet.limit (-1 means "all", up to this many)
    max_start: int = 100_000  # start (paging offset)
    max_rows: int = 1000  # rows
    max_sort_fields: int = 5  # comma-separated clauses of sort

    def budget(self) -> Budget:
        """A fresh term budget for one search."""
        return Budget(self.max_terms, self.max_depth, self.max_chars)

    def backstop(self) -> SearchLimits:
        """Looser bounds for the final query, which core extends with its own filters."""
        return replace(
            self,
            max_chars=self.max_chars * 4,
            max_terms=self.max_terms * 4,
            max_depth=self.max_depth + 2,
            max_rows=self.max_rows * 4,
        )


def limits_from_config(config: Mapping[str, Any]) -> SearchLimits:
    """SearchLimits from ckan.ini options; a bad value is a ValueError naming the option."""
    values: dict[str, int] = {}
    rows_max = config.get("ckan.search.rows_max", None)  # core's own cap on rows, if raised
    if rows_max is not None and str(rows_max).strip().isdigit() and int(rows_max) > 0:
        values["max_rows"] = int(rows_max)
    for f in fields(SearchLimits):
        option = CONFIG_PREFIX + f.name
        raw = config.get(option, None)
        if raw is None or str(raw).strip() == "":
            continue
        try:
            value = int(str(raw).strip())
        except ValueError:
            value = 0
        if value <= 0:
            raise ValueError(f"{option} must be a positive integer, not {raw!r} (ckan.ini)")
        values[f.name] = value
    return SearchLimits(**values)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    return [str(v) for v in value]


def allowed_facet_fields(config: Mapping[str, Any]) -> frozenset[str]:
    """CKAN's default facets, core's own, `search.facets` and EXTRA_FACETS_OPTION."""
    configured = _names(config.get("search.facets", None))
    configured += _names(config.get(EXTRA_FACETS_OPTION, None))
    return frozenset((*DEFAULT_FACET_FIELDS, *CORE_FACET_FIELDS, *configured))


def range_fields_from_config(config: Mapping[str, Any]) -> RangeFields:
    """The fields ranges accept: the built-in dates and numbers plus the ckan.ini options."""
    default = RangeFields()
    return RangeFields(
        dates=default.dates | frozenset(_names(config.get(DATE_FIELDS_OPTION, None))),
        numbers=default.numbers | frozenset(_names(config.get(NUMBER_FIELDS_OPTION, None))),
    )


def facet_fields(value: Any) -> list[str]:
    """`facet.field` as a list: a list, a JSON list or one field name."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
        if isinstance(value, str):
            return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise QueryError("'facet.field' must be a list of field names, e.g. [\"tags\"]")
    return value


def bounded_int(params: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    """An integer parameter within [low, high], or a QueryError naming it and the range."""
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise QueryError(
            f"The search parameter '{name}' must be an integer from {low} to {high}, "
            f"not {str(value)[:40]!r}."
        )
    return number


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, dict):
        return [v for v in [*value.keys(), *value.values()] if isinstance(v, str)]
    return []


def check_request(
    params: Mapping[str, Any], limits: SearchLimits, allowed_facets: Collection[str]
) -> None:
    """Refuse NUL characters, out-of-range numbers, facet fields off the allow-list, too many
    facet fields and over-long sorts. q and fq are checked when parsed (check_search)."""
    for key, value in params.items():
        for text in _strings(value):
            if "\x00" in text:
                raise QueryError(
                    f"The search parameter '{key}' contains a NUL character (\\x00), which no "
                    "search can contain; remove it."
                )
    wanted = facet_fields(params.get("facet.field"))
    if len(wanted) > limits.max_facet_fields:
        raise QueryError(
            f"'facet.field' lists {len(wanted)} fields; this portal computes at most "
            f"{limits.max_facet_fields} facets per search."
        )
    for name in wanted:
        if name not in allowed_facets:
            raise QueryError(
                f"Cannot facet on {name[:80]!r}: this portal's facet fields are "
                f"{', '.join(sorted(allowed_facets))}."
            )
    bounded_int(params, "facet.limit", 50, -1, limits.max_facet_values)
    bounded_int(params, "facet.mincount", 1, 0, INT_MAX)
    bounded_int(params, "start", 0, 0, limits.max_start)
    bounded_int(params, "rows", 10, 0, limits.max_rows)
    sort = params.get("sort")
    if isinstance(sort, str):
        Budget(max_chars=limits.max_chars).check_text(sort, "sort")
        if len(sort.split(",")) > limits.max_sort_fields:
            raise QueryError(
                f"The search parameter 'sort' has {len(sort.split(','))} sort fields; this "
                f"portal sorts by at most {limits.max_sort_fields}."
            )


def filters(params: Mapping[str, Any]) -> list[str]:
    """Every fq of a request: `fq` and core's `fq_list`."""
    out = _strings(params.get("fq"))
    out += _strings(params.get("fq_list"))
    return out


def check_search(
    params: Mapping[str, Any], limits: SearchLimits, allowed_facets: Collection[str]
) -> None:
    """Everything a caller's package_search parameters must keep, q and fq parsed included.

    Field names are not looked up here (that needs the index and the caller's permissions):
    the backend does it while compiling.
    """
    check_request(params, limits, allowed_facets)
    budget = limits.budget()
    q = params.get("q")
    if isinstance(q, str) and not is_match_all(q):
        parse_q(q, params.get("defType", "dismax"), budget)
    for item in filters(params):
        if item.strip():
            parse(item, None, budget, "fq")
