"""A pysolr-compatible connection that keeps CKAN's search index in PostgreSQL.

CKAN builds its index documents and its Solr queries itself (ckan.lib.search.index/query);
every one of them goes through ``make_connection()``. We give CKAN this object instead of a
``pysolr.Solr``: ``add`` and ``delete`` write the ``dulieumo_search_doc`` table in the CKAN
database (inside CKAN's own transaction, so a rolled-back dataset write leaves no index
row), and ``search`` answers the Solr query subset that CKAN sends (see query.py).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.search.common import SearchQueryError

from . import index
from .index import TABLE
from .query import compile_query, compile_sort

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
            compiled = compile_query(q if q != "*:*" else None, [], None, index.has_field)
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
        """Answer one pysolr ``search`` call: q, fq, sort, rows, start, fl, facet.*."""
        index.ensure_layout()
        fq = params.get("fq") or []
        if isinstance(fq, str):
            fq = [fq]
        compiled = compile_query(q, list(fq), params.get("defType"), index.has_field)
        sql_params = dict(compiled.params)
        if compiled.rank_queries:
            sql_params["rankq"] = " | ".join(f"({r})" for r in compiled.rank_queries)
            score = "ts_rank(tsv, to_tsquery('simple', :rankq))"
        else:
            score = "1.0"
        order = compile_sort(params.get("sort"), sql_params, index.has_field)
        rows = _int_param(params, "rows", 10)
        start = _int_param(params, "start", 0)
        if rows < 0 or start < 0:
            raise SearchQueryError("rows and start must not be negative")
        where = compiled.sql
        session = model.Session
        hits = session.execute(
            sa.text(f"SELECT count(*) FROM {TABLE} WHERE {where}"), sql_params
        ).scalar()
        docs: list[dict[str, Any]] = []
        if rows > 0:
            page_params = dict(sql_params, rows=rows, start=start)
            result = session.execute(
                sa.text(
                    f"SELECT doc, score FROM (SELECT doc, sort_title, {score} AS score "
                    f"FROM {TABLE} WHERE {where}) AS f ORDER BY {order} "
                    "LIMIT :rows OFFSET :start"
                ),
                page_params,
            )
            fl = _field_list(params.get("fl"))
            for doc, score_value in result:
                docs.append(_select(doc, fl, float(score_value)))
        facets = self._facets(where, sql_params, params)
        return Results(docs, int(hits or 0), {"facet_fields": facets})

    def _facets(
        self, where: str, sql_params: dict[str, Any], params: dict[str, Any]
    ) -> dict[str, list[Any]]:
        """Solr-style facet_fields: {field: [value, count, value, count, …]}.

        A dataset counts once per value (two CSV resources: one CSV), as in Solr.
        """
        if str(params.get("facet", "true")).lower() != "true":
            return {}
        fields = params.get("facet.field") or []
        if isinstance(fields, str):
            try:
                fields = json.loads(fields)
            except ValueError:
                fields = [fields]
            if isinstance(fields, str):
                fields = [fields]
        limit = _int_param(params, "facet.limit", 50)
        mincount = _int_param(params, "facet.mincount", 1)
        out: dict[str, list[Any]] = {}
        for fname in fields:
            fp = dict(sql_params, facet_field=fname, mincount=mincount)
            limit_sql = ""
            if limit >= 0:
                fp["facet_limit"] = limit
                limit_sql = "LIMIT :facet_limit"
            # mincount 0 lists values of the whole index, counted over the matches only
            scope = "TRUE" if mincount <= 0 else where
            rows = model.Session.execute(
                sa.text(
                    f"""SELECT v, count(DISTINCT f.index_id) FILTER (WHERE f.matched) AS c
                    FROM (SELECT index_id, doc, ({where}) AS matched FROM {TABLE}
                          WHERE {scope}) AS f,
                    LATERAL jsonb_array_elements_text(
                        CASE WHEN jsonb_typeof(f.doc->:facet_field) = 'array'
                             THEN f.doc->:facet_field
                             WHEN f.doc->:facet_field IS NULL
                                  OR jsonb_typeof(f.doc->:facet_field) = 'null' THEN '[]'::jsonb
                             ELSE jsonb_build_array(f.doc->>:facet_field) END) AS e(v)
                    WHERE v IS NOT NULL AND v <> ''
                    GROUP BY v
                    HAVING count(DISTINCT f.index_id) FILTER (WHERE f.matched) >= :mincount
                    ORDER BY c DESC, v ASC {limit_sql}"""
                ),
                fp,
            )
            flat: list[Any] = []
            for value, count in rows:
                flat += [value, int(count)]
            out[fname] = flat
        return out


def _int_param(params: dict[str, Any], name: str, default: int) -> int:
    """An integer Solr parameter, or SearchQueryError naming it."""
    value = params.get(name, default)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SearchQueryError(f"{name} must be an integer, not {value!r}") from None


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
