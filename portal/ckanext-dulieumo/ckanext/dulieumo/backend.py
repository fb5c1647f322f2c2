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

import sqlalchemy as sa

import ckan.model as model

from .query import compile_query, compile_sort, parse
from .text import fold

log = logging.getLogger(__name__)

TABLE = "dulieumo_search_doc"

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        doc jsonb NOT NULL,
        sort_title text,
        tsv tsvector NOT NULL
    )""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id ON {TABLE} (id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_doc ON {TABLE} USING gin (doc jsonb_path_ops)",
]

_WEIGHTS = {
    "A": ("title", "name"),
    "B": ("tags", "notes", "organization", "groups", "author", "maintainer"),
    "C": ("res_name", "res_description", "res_format", "license_id"),
}


def ensure_table() -> None:
    for stmt in DDL:
        model.Session.execute(sa.text(stmt))
    model.Session.commit()


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_flat(v) for v in value)
    return str(value)


def _weighted_text(doc: dict[str, Any]) -> dict[str, str]:
    parts = {w: " ".join(_flat(doc.get(f)) for f in fields) for w, fields in _WEIGHTS.items()}
    extras = " ".join(_flat(v) for k, v in doc.items()
                      if k.startswith("extras_") and not k.startswith("extras_dulieumo_"))
    parts["C"] += " " + extras
    return {w: fold(text) for w, text in parts.items()}


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
        for doc in docs:
            text = _weighted_text(doc)
            model.Session.execute(
                sa.text(
                    f"""INSERT INTO {TABLE} (index_id, id, doc, sort_title, tsv)
                    VALUES (:index_id, :id, CAST(:doc AS jsonb), :sort_title,
                            setweight(to_tsvector('simple', :a), 'A') ||
                            setweight(to_tsvector('simple', :b), 'B') ||
                            setweight(to_tsvector('simple', :c), 'C'))
                    ON CONFLICT (index_id) DO UPDATE SET id = EXCLUDED.id, doc = EXCLUDED.doc,
                        sort_title = EXCLUDED.sort_title, tsv = EXCLUDED.tsv"""
                ),
                {
                    "index_id": doc.get("index_id") or doc["id"],
                    "id": doc["id"],
                    "doc": json.dumps(doc, default=str, ensure_ascii=False),
                    "sort_title": fold(str(doc.get("title_string") or doc.get("title") or "")),
                    "a": text["A"],
                    "b": text["B"],
                    "c": text["C"],
                },
            )
        # never commit here: CKAN indexes inside its own transaction (package_update's
        # savepoint) and commits it; `ckan search-index rebuild` commits at its end.

    def delete(self, q: str | None = None, id: str | None = None, commit: bool = False,
               **_: Any) -> None:
        if id is not None:
            model.Session.execute(sa.text(f"DELETE FROM {TABLE} WHERE index_id = :i"),
                                  {"i": id})
        elif q is not None:
            compiled = compile_query(q if q != "*:*" else None, [], None)
            model.Session.execute(sa.text(f"DELETE FROM {TABLE} WHERE {compiled.sql}"),
                                  compiled.params)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        """Index rows are written in CKAN's transaction; there is nothing else to commit."""

    # ------------------------------------------------------------------ searching

    def search(self, q: str | None = None, **params: Any) -> Results:
        fq = params.get("fq") or []
        if isinstance(fq, str):
            fq = [fq]
        compiled = compile_query(q, list(fq), params.get("defType"))
        sql_params = dict(compiled.params)
        if compiled.rank_queries:
            sql_params["rankq"] = " | ".join(f"({r})" for r in compiled.rank_queries)
            score = "ts_rank(tsv, to_tsquery('simple', :rankq))"
        else:
            score = "1.0"
        order = compile_sort(params.get("sort"), sql_params)
        rows = int(params.get("rows", 10) or 0)
        start = int(params.get("start", 0) or 0)
        base = (f"SELECT doc, sort_title, {score} AS score FROM {TABLE} "
                f"WHERE {compiled.sql}")
        conn = model.Session
        hits = conn.execute(sa.text(f"SELECT count(*) FROM ({base}) AS f"), sql_params).scalar()
        docs: list[dict[str, Any]] = []
        if rows > 0:
            sql_params["rows"], sql_params["start"] = rows, start
            result = conn.execute(
                sa.text(f"SELECT doc, score FROM ({base}) AS f ORDER BY {order} "
                        "LIMIT :rows OFFSET :start"), sql_params)
            fl = _field_list(params.get("fl"))
            for doc, score_value in result:
                docs.append(_select(doc, fl, float(score_value)))
        facets = self._facets(base, sql_params, params)
        return Results(docs, int(hits or 0), {"facet_fields": facets})

    def _facets(self, base: str, sql_params: dict[str, Any],
                params: dict[str, Any]) -> dict[str, list[Any]]:
        if str(params.get("facet", "true")).lower() != "true":
            return {}
        fields = params.get("facet.field") or []
        if isinstance(fields, str):
            try:
                fields = json.loads(fields)
            except ValueError:
                fields = [fields]
        limit = int(params.get("facet.limit", 50) or 50)
        mincount = int(params.get("facet.mincount", 1) or 1)
        out: dict[str, list[Any]] = {}
        for fname in fields:
            fp = dict(sql_params, facet_field=fname, mincount=mincount)
            limit_sql = ""
            if limit >= 0:
                fp["facet_limit"] = limit
                limit_sql = "LIMIT :facet_limit"
            rows = model.Session.execute(sa.text(
                f"""SELECT v, count(*) AS c FROM ({base}) AS f,
                    LATERAL jsonb_array_elements_text(
                        CASE WHEN jsonb_typeof(f.doc->:facet_field) = 'array'
                             THEN f.doc->:facet_field
                             WHEN f.doc->:facet_field IS NULL
                                  OR jsonb_typeof(f.doc->:facet_field) = 'null' THEN '[]'::jsonb
                             ELSE jsonb_build_array(f.doc->>:facet_field) END) AS e(v)
                    WHERE v IS NOT NULL AND v <> ''
                    GROUP BY v HAVING count(*) >= :mincount
                    ORDER BY c DESC, v ASC {limit_sql}"""), fp)
            flat: list[Any] = []
            for value, count in rows:
                flat += [value, int(count)]
            out[fname] = flat
        return out


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


def check_query(text: str) -> None:
    """Parse only (used by tests of the parser)."""
    parse(text)
