"""A pysolr-compatible connection that keeps CKAN's search index in PostgreSQL.

CKAN builds its index documents and its Solr queries itself (ckan.lib.search.index/query);
every one of them goes through ``make_connection()``. We give CKAN this object instead of a
``pysolr.Solr``: ``add`` and ``delete`` write the ``dulieumo_search_doc`` table in the CKAN
database (inside CKAN's own transaction, so a rolled-back dataset write leaves no index
row), and ``search`` answers the Solr query subset that CKAN sends (see query.py).

Every search, core's own included, is bounded (limits.py: caps on size, terms, nesting,
facets, paging; statement_limit.py: a PostgreSQL statement_timeout) and reads only what the
caller may read: counts, facets and field-name lookups all run under CKAN's permission
filter, and facets come from an allow-list.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
from ckan.lib.search.common import SearchQueryError

from . import index, search_guard
from .fields import FACET_COLUMN_FIELDS
from .index import TABLE
from .limits import INT_MAX, SearchLimits, bounded_int, check_request, facet_fields
from .plan import SearchPlan
from .query import QueryError, compile_query, entry, sort_keys
from .statement_limit import Deadline, time_limited

log = logging.getLogger(__name__)


@dataclass
class Results:
    """What pysolr.Solr.search returns, as far as CKAN reads it."""

    docs: list[dict[str, Any]]
    hits: int
    facets: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self) -> Any:
        return iter(self.docs)


class PostgresSearchConnection:
    """Drop-in for pysolr.Solr: add, delete, commit, search."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.url = "postgresql://dulieumo-search"

    # ------------------------------------------------------------------ writing

    def add(self, docs: list[dict[str, Any]], commit: bool = False, **_: Any) -> None:
        """Index CKAN's documents (one per dataset)."""
        index.write_docs(docs)
        # never commit here: CKAN indexes inside its own transaction (package_update's
        # savepoint) and commits it; `ckan search-index rebuild` commits at its end.

    def delete(
        self, q: str | None = None, id: str | None = None, commit: bool = False, **_: Any
    ) -> None:
        """Remove index rows by index_id or by a (Solr-syntax) query, as CKAN sends them."""
        index.ensure_layout()
        if id is not None:
            index.delete_by_index_id(id)
        elif q is not None:
            try:
                compiled = compile_query(
                    q if q != "*:*" else None, [], None, index.has_visible_field
                )
            except QueryError as exc:
                raise SearchQueryError(str(exc)) from None
            index.delete_where(compiled.sql, compiled.params)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        """Make pending index changes durable, as a Solr commit does.

        CKAN calls this only outside request handling: after `search-index rebuild`
        (ckan.lib.search.commit) and when clearing the index (`search-index clear`).
        Dataset writes never call it; their index rows commit with their own transaction.
        """
        model.Session.commit()

    # ------------------------------------------------------------------ searching

    def search(self, q: str | None = None, **params: Any) -> Results:
        """Answer one pysolr ``search`` call: q, fq, sort, rows, start, fl, facet.*.

        Bounded (limits.SearchLimits.backstop, the time limit) whatever the caller; a
        refusal or a timeout is a SearchQueryError (HTTP 400 from the Action API).
        """
        index.ensure_layout()
        limits = search_guard.current_limits()
        bounds = limits.backstop()
        try:
            check_request(dict(params, q=q), bounds, search_guard.current_facets())
            with time_limited(model.Session, limits.timeout_ms) as deadline:
                return self._search(q, params, bounds, deadline)
        except QueryError as exc:
            raise SearchQueryError(str(exc)) from None

    def _search(
        self, q: str | None, params: dict[str, Any], bounds: SearchLimits, deadline: Deadline
    ) -> Results:
        fq = params.get("fq") or []
        if isinstance(fq, str):
            fq = [fq]

        def readable_field(name: str, visible_sql: str, visible_params: dict[str, Any]) -> bool:
            sql = index.has_field_sql(visible_sql)
            return bool(
                deadline.execute(sql, dict(visible_params, field_name=entry(name))).scalar()
            )

        compiled = compile_query(
            q,
            list(fq),
            params.get("defType"),
            readable_field,
            bounds.budget(),
            search_guard.current_range_fields(),
        )
        sql_params = dict(compiled.params)
        if compiled.rank_queries:
            sql_params["rankq"] = " | ".join(f"({r})" for r in compiled.rank_queries)
            score = "ts_rank(tsv, to_tsquery('simple', :rankq))"
        else:
            score = "1.0"
        keys = sort_keys(params.get("sort"), sql_params, bounds.max_sort_fields)
        rows = bounded_int(params, "rows", 10, 0, bounds.max_rows)
        start = bounded_int(params, "start", 0, 0, bounds.max_start)
        facet_names, facet_columns = self._facet_request(params, bounds, sql_params)
        plan = SearchPlan(compiled.sql, score, keys, rows, start, facet_columns)
        hits = 0
        docs: list[tuple[int, dict[str, Any], float]] = []
        counted: dict[str, list[Any]] = {f: [] for f in facet_names}
        fl = _field_list(params.get("fl"))
        for part, fname, value, number, doc, score_value in _index_scan(
            deadline, plan.sql(), dict(sql_params, rows=rows, start=start)
        ):
            if part == 0:
                hits = int(number)
            elif part == 1:
                docs.append((int(number), doc, float(score_value)))
            else:
                counted[fname] += [value, int(number)]
        for fname in facet_names:
            if fname not in FACET_COLUMN_FIELDS:  # a configured extra facet: from `doc`
                counted[fname] = self._doc_facet(fname, compiled.sql, sql_params, deadline)
        page = [_select(doc, fl, score_value) for _, doc, score_value in sorted(docs, key=_first)]
        return Results(page, hits, {"facet_fields": counted})

    def _facet_request(
        self, params: dict[str, Any], bounds: SearchLimits, sql_params: dict[str, Any]
    ) -> tuple[list[str], tuple[str, ...]]:
        """The facet fields asked for (checked against the allow-list by check_request) and
        those counted from their own columns in the search's statement; binds parameters.

        Counted over the matching datasets only, so under the caller's permission filter
        always: a value no readable dataset has is never listed, whatever facet.mincount
        (0 behaves as 1; Solr would list zero-count values of the whole index). facet.limit
        -1 means all values, up to SearchLimits.max_facet_values. A dataset counts once per
        value (two CSV resources: one CSV), as in Solr.
        """
        if str(params.get("facet", "true")).lower() != "true":
            return [], ()
        limit = bounded_int(params, "facet.limit", 50, -1, bounds.max_facet_values)
        if limit < 0:
            limit = bounds.max_facet_values
        mincount = max(1, bounded_int(params, "facet.mincount", 1, 0, INT_MAX))
        names = list(dict.fromkeys(facet_fields(params.get("facet.field"))))
        sql_params.update(mincount=mincount, facet_limit=limit)
        return names, tuple(f for f in names if f in FACET_COLUMN_FIELDS)

    def _doc_facet(
        self, fname: str, where: str, sql_params: dict[str, Any], deadline: Deadline
    ) -> list[Any]:
        """Facet counts of a field outside FACET_COLUMN_FIELDS, read from each `doc`."""
        rows = deadline.execute(
            f"""SELECT v, count(DISTINCT f.index_id) AS c
            FROM (SELECT index_id, doc FROM {TABLE} WHERE {where}) AS f,
            LATERAL jsonb_array_elements_text(
                CASE WHEN jsonb_typeof(f.doc->:facet_field) = 'array'
                     THEN f.doc->:facet_field
                     WHEN f.doc->:facet_field IS NULL
                          OR jsonb_typeof(f.doc->:facet_field) = 'null' THEN '[]'::jsonb
                     ELSE jsonb_build_array(f.doc->>:facet_field) END) AS e(v)
            WHERE v IS NOT NULL AND v <> ''
            GROUP BY v
            HAVING count(DISTINCT f.index_id) >= :mincount
            ORDER BY c DESC, v ASC LIMIT :facet_limit""",
            dict(sql_params, facet_field=fname),
        )
        flat: list[Any] = []
        for value, count in rows:
            flat += [value, int(count)]
        return flat


def _index_scan(deadline: Deadline, sql: str, params: dict[str, Any]) -> list[Any]:
    """Run a search statement with sequential scans off (for it only).

    Every search has an indexed condition (core's `+site_id`/`+state` and permission labels
    are `terms` entries; free text uses `tsv`, dates `modified`). With up-to-date statistics
    PostgreSQL prefers a sequential scan when most rows match, and then reads every row's
    TOASTed `terms`: 0.9 s instead of 7 ms for 6,666 of 10,000 rows.
    """
    deadline.execute("SELECT set_config('enable_seqscan', 'off', true)", {})
    try:
        return list(deadline.execute(sql, params))
    finally:
        deadline.execute("SELECT set_config('enable_seqscan', 'on', true)", {})


def _first(item: tuple[int, Any, Any]) -> int:
    return item[0]


def _field_list(fl: Any) -> list[str] | None:
    if not fl:
        return None
    names = [f for f in str(fl).replace(",", " ").split() if f]
    return None if "*" in names else names


def _select(doc: dict[str, Any], fl: list[str] | None, score: float) -> dict[str, Any]:
    if fl is None:
        out = dict(doc)
        out["score"] = score
        return out
    out = {k: doc[k] for k in fl if k in doc}
    if "score" in fl:
        out["score"] = score
    return out
