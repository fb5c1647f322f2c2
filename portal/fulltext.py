"""DataStore full-text search that ignores Vietnamese diacritics.

CKAN's DataStore fills each row's ``_full_text`` with a trigger calling the one-argument
``to_tsvector`` (the database's ``default_text_search_config``) and searches with
``plainto_tsquery(<ckan.datastore.default_fts_lang>, q)``. Both must use one configuration
that unaccents, or ``q="benh vien"`` finds nothing in "Bệnh viện". ``ensure_fulltext``
(run by every ``portal up``, idempotent) creates that configuration (``simple`` words through
the ``unaccent`` dictionary: no stemming, no English stop words), makes it the DataStore
database's default, and recomputes the ``_full_text`` column of tables made before it, once
(a stamp on the configuration's comment records that this was done).
"""

from __future__ import annotations

from psycopg2 import sql

from .services import pg_connect
from .settings import PortalSettings

#: the text-search configuration's name: `ckan.datastore.default_fts_lang` in ckan.ini
FTS_CONFIG = "dulieumo_vi"
#: the token types of the default parser that carry words (letters, digits, hyphenated parts)
WORD_TOKENS = (
    "asciiword",
    "word",
    "numword",
    "asciihword",
    "hword",
    "numhword",
    "hword_asciipart",
    "hword_part",
    "hword_numpart",
)
#: written as the configuration's comment once existing tables were recomputed with it;
#: change it when the definition changes, and the next `portal up` recomputes again
STAMP = "dulieumo fts v1: unaccent + simple; _full_text recomputed"


def _tables_with_full_text(cur: object) -> list[str]:
    cur.execute(  # type: ignore[attr-defined]
        """SELECT c.relname FROM pg_class c
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '_full_text'
           WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace
             AND NOT starts_with(c.relname, '_') ORDER BY c.relname"""
    )
    return [row[0] for row in cur.fetchall()]  # type: ignore[attr-defined]


def ensure_fulltext(settings: PortalSettings) -> list[str]:
    """Create the unaccenting configuration and make it the DataStore's default (idempotent);
    returns the tables whose full-text column was recomputed (none once done)."""
    conn = pg_connect(settings, settings.datastore_db)
    config = sql.Identifier("public", FTS_CONFIG)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
            cur.execute(
                "SELECT obj_description(oid, 'pg_ts_config') FROM pg_ts_config "
                "WHERE cfgname = %s AND cfgnamespace = 'public'::regnamespace",
                (FTS_CONFIG,),
            )
            row = cur.fetchone()
            cur.execute(
                sql.SQL("ALTER DATABASE {} SET default_text_search_config = {}").format(
                    sql.Identifier(settings.datastore_db), sql.Literal(f"public.{FTS_CONFIG}")
                )
            )
            if row is not None and row[0] == STAMP:
                return []
            conn.autocommit = False
            if row is None:
                cur.execute(
                    sql.SQL(
                        "CREATE TEXT SEARCH CONFIGURATION {} (COPY = pg_catalog.simple)"
                    ).format(config)
                )
            cur.execute(
                sql.SQL(
                    "ALTER TEXT SEARCH CONFIGURATION {} ALTER MAPPING FOR {} WITH {}, {}"
                ).format(
                    config,
                    sql.SQL(", ").join(sql.SQL(t) for t in WORD_TOKENS),
                    sql.Identifier("public", "unaccent"),
                    sql.Identifier("pg_catalog", "simple"),
                )
            )
            # this session's trigger calls use the new configuration too
            cur.execute("SET LOCAL default_text_search_config = %s", (f"public.{FTS_CONFIG}",))
            tables = _tables_with_full_text(cur)
            for table in tables:  # what the DataStore's trigger computes, with our config
                cur.execute(
                    sql.SQL(
                        "UPDATE {t} AS r SET _full_text = (SELECT to_tsvector({c}, "
                        "string_agg(value, ' ')) FROM json_each_text(row_to_json(r.*)) "
                        "WHERE key NOT LIKE '\\_%')"
                    ).format(t=sql.Identifier(table), c=sql.Literal(f"public.{FTS_CONFIG}"))
                )
            cur.execute(
                sql.SQL("COMMENT ON TEXT SEARCH CONFIGURATION {} IS %s").format(config), (STAMP,)
            )
            conn.commit()
            return tables
    finally:
        conn.close()
