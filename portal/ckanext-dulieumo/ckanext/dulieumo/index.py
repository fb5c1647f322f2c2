"""Writing CKAN's search index into PostgreSQL: the table, its rows, their folded text.

One row per dataset (keyed by CKAN's ``index_id``) holds the document CKAN built for Solr
(``doc``, jsonb: every indexed field, ``validated_data_dict`` included), a weighted
full-text vector of the diacritic-folded text (``tsv``: title/name > tags/notes/org/groups >
resources/extras) and the folded text of each text field (``folded``) for fielded text
queries such as ``title:benh``. Folding happens in Python (text.fold), so no PostgreSQL
extension is needed.

Flat columns (layout 4, issue 17) so that searches never read the large ``doc``: ``terms``
(GIN: a "field=value" entry per exact value of every field, and each field's bare name, the
same values the jsonb matches of the compiler read, derived in SQL from ``doc``; an entry over
TERM_MAX_CHARS is "#" + its md5), ``facet_<field>`` (the values of each of CKAN's default
facet fields and owner_org, counted in the search's statement), ``modified``/``created``
(timestamps: ranges and sorts), ``name`` (sort) and ``ranges`` (numbers and dates, as
seconds since 1970, of scalar fields: range queries). What searches read stays inline in the
row; only ``doc`` goes to the TOAST table.

Rows are written in CKAN's own SQLAlchemy session and transaction: a dataset write that is
rolled back leaves no index row behind, and nothing here commits.
"""

from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from .fields import FACET_COLUMN_FIELDS, TABLE, TEXT_FIELDS
from .index_values import LAYOUT, WEIGHTS, facet_column, facet_sql, flat_values, terms_sql
from .text import fold, tokens

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        index_id text PRIMARY KEY,
        id text NOT NULL,
        doc jsonb NOT NULL,
        sort_title text,
        tsv tsvector NOT NULL
    )""",
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS folded jsonb NOT NULL DEFAULT '{{}}'",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_id ON {TABLE} (id)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_tsv ON {TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_doc ON {TABLE} USING gin (doc jsonb_path_ops)",
    f"""ALTER TABLE {TABLE}
        ADD COLUMN IF NOT EXISTS terms text[] NOT NULL DEFAULT '{{}}',
        ADD COLUMN IF NOT EXISTS modified timestamptz,
        ADD COLUMN IF NOT EXISTS created timestamptz,
        ADD COLUMN IF NOT EXISTS name text,
        ADD COLUMN IF NOT EXISTS ranges jsonb NOT NULL DEFAULT '{{}}',
        ADD COLUMN IF NOT EXISTS layout smallint NOT NULL DEFAULT 1""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_terms ON {TABLE} USING gin (terms)",
    f"ALTER TABLE {TABLE} "
    + ", ".join(
        f"ADD COLUMN IF NOT EXISTS {facet_column(f)} text[] NOT NULL DEFAULT '{{}}'"
        for f in FACET_COLUMN_FIELDS
    ),
    f"CREATE INDEX IF NOT EXISTS {TABLE}_modified ON {TABLE} (modified)",
    # keep what searches read (terms, tsv, folded, facets) inline in the row, compressed if
    # need be, and move only `doc` out: a row whose `terms` sits in the TOAST table costs an
    # extra lookup per row (0.9 s instead of 0.1 s for 6,666 of 10,000 rows)
    f"""ALTER TABLE {TABLE} SET (toast_tuple_target = 8160),
        ALTER COLUMN terms SET STORAGE MAIN, ALTER COLUMN tsv SET STORAGE MAIN,
        ALTER COLUMN folded SET STORAGE MAIN""",
]


#: the facet columns, in FACET_COLUMN_FIELDS order
_FACET_COLS = ", ".join(facet_column(f) for f in FACET_COLUMN_FIELDS)


def _facet_sets(doc: str) -> str:
    """SQL: `facet_x = <values of x>, …` for an UPDATE."""
    return ", ".join(f"{facet_column(f)} = {facet_sql(doc, f)}" for f in FACET_COLUMN_FIELDS)


def ensure_table() -> None:
    """Create (or upgrade) the index table, its indexes and its rows; idempotent. Commits."""
    global _LAYOUT_OK
    for stmt in DDL:
        model.Session.execute(sa.text(stmt))
    upgrade_rows(model.Session)
    model.Session.commit()
    _LAYOUT_OK = True


def upgrade_rows(conn: Any, batch: int = 500) -> int:
    """Fill the flat columns of rows written by an older layout (from their `doc`)."""
    done = 0
    while True:
        rows = conn.execute(
            sa.text(f"SELECT index_id, doc FROM {TABLE} WHERE layout < :l LIMIT :n"),
            {"l": LAYOUT, "n": batch},
        ).fetchall()
        if not rows:
            return done
        conn.execute(
            sa.text(
                f"""UPDATE {TABLE} SET terms = {terms_sql("doc")}, {_facet_sets("doc")},
                tsv = tsv || ''::tsvector, folded = folded || '{{}}'::jsonb,
                modified = :modified, created = :created, name = :name,
                ranges = CAST(:ranges AS jsonb), layout = {LAYOUT} WHERE index_id = :index_id"""
            ),
            [dict(flat_values(doc), index_id=index_id) for index_id, doc in rows],
        )
        done += len(rows)


#: set once this process has seen the table in its current layout
_LAYOUT_OK = False


def ensure_layout() -> None:
    """Once per process: create or upgrade the table if `ckan dulieumo init-db` was not run.

    Runs on its own connection and transaction, so a request that rolls back does not undo
    it, and takes no lock at all when the layout is already current (the usual case).
    """
    global _LAYOUT_OK
    if _LAYOUT_OK:
        return
    engine = model.meta.engine
    assert engine is not None
    with engine.begin() as conn:
        current = conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = :t "
                "AND column_name = 'layout'"
            ),
            {"t": TABLE},
        ).scalar()
        if not current:
            for stmt in DDL:
                conn.execute(sa.text(stmt))
        upgrade_rows(conn)
    _LAYOUT_OK = True


def _flat(value: Any) -> str:
    """Any indexed value as one string (lists joined by spaces, None as empty)."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_flat(v) for v in value)
    return str(value)


def weighted_text(doc: dict[str, Any]) -> dict[str, str]:
    """Folded text per full-text weight (A, B, C) of one index document."""
    parts = {w: " ".join(_flat(doc.get(f)) for f in fields) for w, fields in WEIGHTS.items()}
    # extras (and res_extras_) are searchable free text too, at the lowest weight; our own
    # bookkeeping extras (dulieumo_*) are not
    extras = " ".join(
        _flat(v)
        for k, v in doc.items()
        if (k.startswith("extras_") and not k.startswith("extras_dulieumo_"))
        or k.startswith("res_extras_")
    )
    parts["C"] += " " + extras
    return {w: _words(text) for w, text in parts.items()}


def _words(text: str) -> str:
    """Folded words joined by spaces: the same tokens the query side uses (text.tokens), so
    PostgreSQL's parser never sees URLs, e-mails or hyphenated compounds as single lexemes."""
    return " ".join(tokens(text))


def folded_fields(doc: dict[str, Any]) -> dict[str, str]:
    """Folded text of every field a fielded text query can name."""
    wanted = {f for fields in TEXT_FIELDS.values() for f in fields}
    return {f: _words(_flat(doc.get(f))) for f in wanted if doc.get(f)}


_WRITE = f"""INSERT INTO {TABLE} (index_id, id, doc, sort_title, tsv, folded, terms, {_FACET_COLS},
        modified, created, name, ranges, layout)
    SELECT :index_id, :id, d.doc, :sort_title,
        setweight(to_tsvector('simple', :a), 'A') ||
        setweight(to_tsvector('simple', :b), 'B') ||
        setweight(to_tsvector('simple', :c), 'C'),
        CAST(:folded AS jsonb), {terms_sql("d.doc")},
        {", ".join(facet_sql("d.doc", f) for f in FACET_COLUMN_FIELDS)},
        :modified, :created, :name, CAST(:ranges AS jsonb), {LAYOUT}
    FROM (SELECT CAST(:doc AS jsonb) AS doc) AS d
    ON CONFLICT (index_id) DO UPDATE SET id = EXCLUDED.id, doc = EXCLUDED.doc,
        sort_title = EXCLUDED.sort_title, tsv = EXCLUDED.tsv, folded = EXCLUDED.folded,
        terms = EXCLUDED.terms, {", ".join(f"{c} = EXCLUDED.{c}" for c in _FACET_COLS.split(", "))},
        modified = EXCLUDED.modified,
        created = EXCLUDED.created, name = EXCLUDED.name, ranges = EXCLUDED.ranges,
        layout = EXCLUDED.layout"""


def write_docs(docs: list[dict[str, Any]]) -> None:
    """Insert or replace index rows (in the current transaction, one round trip)."""
    ensure_layout()
    rows = []
    for doc in docs:
        text = weighted_text(doc)
        rows.append(
            {
                **flat_values(doc),
                "index_id": doc.get("index_id") or doc["id"],
                "id": doc["id"],
                "doc": json.dumps(doc, default=str, ensure_ascii=False),
                "sort_title": fold(str(doc.get("title_string") or doc.get("title") or "")),
                "a": text["A"],
                "b": text["B"],
                "c": text["C"],
                "folded": json.dumps(folded_fields(doc), ensure_ascii=False),
            }
        )
    if rows:
        model.Session.execute(sa.text(_WRITE), rows)


def delete_by_index_id(index_id: str) -> None:
    """Remove one row by its index_id (in the current transaction)."""
    model.Session.execute(sa.text(f"DELETE FROM {TABLE} WHERE index_id = :i"), {"i": index_id})


def delete_where(where_sql: str, params: dict[str, Any]) -> None:
    """Remove the rows matching a compiled WHERE clause (bound parameters only)."""
    model.Session.execute(sa.text(f"DELETE FROM {TABLE} WHERE {where_sql}"), params)


def has_field(name: str) -> bool:
    """Whether any indexed document has this field (e.g. an extra's bare key)."""
    return has_visible_field(name, "TRUE", {})


def has_field_sql(visible_sql: str) -> str:
    """SQL (parameter `field_name`) for: a document matching `visible_sql` has that field."""
    return (
        f"SELECT EXISTS (SELECT 1 FROM {TABLE} "
        f"WHERE terms @> ARRAY[CAST(:field_name AS text)] AND ({visible_sql}))"
    )


def has_visible_field(name: str, visible_sql: str, params: dict[str, Any]) -> bool:
    """Whether a document matching `visible_sql` (a compiled filter) has this field."""
    return bool(
        model.Session.execute(
            sa.text(has_field_sql(visible_sql)), dict(params, field_name=name)
        ).scalar()
    )


def rows_needing_reindex() -> list[str]:
    """Dataset ids whose rows predate the ``folded`` column (written by an older layout)."""
    rows = model.Session.execute(
        sa.text(
            f"SELECT id FROM {TABLE} "
            "WHERE folded = '{}'::jsonb AND coalesce(doc->>'title', '') <> ''"
        )
    )
    return [r[0] for r in rows]
