"""A release's DataStore table loaded in bulk inside the portal (`dulieumo_datastore_load`).

Like ckanext-xloader, the file is streamed with PostgreSQL's COPY from where CKAN stored
the upload, not sent row by row through ``datastore_upsert``. The table itself is created
by CKAN's ``datastore_create`` (declared types, data dictionary, full-text trigger). Then
its indexes (the primary key's too) are dropped and its trigger disabled; the file is cut
into parts at record boundaries (load_parts.py), and two sessions at once each COPY a part
into a temporary table of text columns and INSERT … SELECT its rows, typed, with
``_full_text`` computed in bulk (load_sql.py; PostgreSQL runs one statement on one CPU), a
row's ``_id`` being its line's number; the trigger is enabled again, and the full-text index
and the b-trees (``_id``'s, which becomes the primary key again, the primary key's unique
index, one per filterable field) are built by two sessions at once, named as CKAN names
them (load_indexes.py; CKAN's ``create_indexes`` then finds them in place). A failure at
any step deletes the table: no half-loaded table is left behind.

With ``base_resource_id`` (the previous release's table of the same dataset) the new table
is that table's rows, minus the keys in ``drop_keys``, plus the rows of ``rows_csv``: a
one-row change copies rows inside PostgreSQL instead of loading the file again.

Only a release's data file (``dulieumo_role`` = ``release-data``, uploaded to the portal) of
a dataset the caller may update can be loaded (auth.py: ``datastore_load``), and a published
release's table (outside the staging dataset) is never replaced.
"""

from __future__ import annotations

import csv
import io
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import params
from .auth import STAGING_SUFFIX, public_name
from .load_indexes import btree_statements, full_text_statements
from .load_parts import FileSlice, file_parts
from .load_sessions import (
    DEFAULT_SESSIONS,
    MAX_SESSIONS,
    holding,
    run_each,
    run_jobs,
    settings,
    stale_tags,
)
from .load_sql import (
    FIELD_NAME,
    PG_FORMAT,
    TYPES,
    WORK_SCHEMA,
    Column,
    LoadPlan,
    tag_of,
    words,
    work_tables,
    work_tag,
)

log = logging.getLogger(__name__)

RELEASE_DATA = "release-data"
MAX_FIELDS = 500
MAX_DROP_KEYS = 50_000
MAX_ROWS_CSV = 64 << 20
COPY_BUFFER = 1 << 20
#: how long a session that copied its part waits for the others to have copied theirs
MAX_WAIT_S = 600


def release_resource(rid: Any) -> model.Resource | None:
    """An active release-data resource uploaded to the portal, or None."""
    if not isinstance(rid, str) or not params.RESOURCE_ID.match(rid):
        return None
    res = model.Resource.get(rid)
    if res is None or res.state != "active" or res.package is None:
        return None
    if (res.extras or {}).get("dulieumo_role") != RELEASE_DATA or res.url_type != "upload":
        return None
    return res


def _columns(data_dict: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Column]]:
    fields = data_dict.get("fields")
    if not isinstance(fields, list) or not 0 < len(fields) <= MAX_FIELDS:
        raise params.refuse("fields", f"must be a list of 1-{MAX_FIELDS} fields")
    parse = params.mapping(data_dict, "parse")
    out, columns = [], []
    for f in fields:
        if not isinstance(f, dict) or not isinstance(f.get("id"), str):
            raise params.refuse("fields", "each field is an object with an id")
        name, ftype = f["id"], f.get("type")
        if not FIELD_NAME.match(name) or "," in name:
            raise params.refuse("fields", f"{name[:70]!r} is not a valid column name")
        if ftype not in TYPES:
            raise params.refuse("fields", f"{name}: type must be one of {', '.join(TYPES)}")
        info = f.get("info") or {}
        if not isinstance(info, dict):
            raise params.refuse("fields", f"{name}: info must be an object")
        rule = parse.get(name) or {}
        if not isinstance(rule, dict):
            raise params.refuse("parse", f"{name}: must be an object")
        fmt = rule.get("format")
        if fmt is not None and (not isinstance(fmt, str) or not PG_FORMAT.match(fmt)):
            raise params.refuse("parse", f"{name}: format is not a date pattern")
        try:
            trues = words(rule.get("true_values"), "true_values")
            falses = words(rule.get("false_values"), "false_values")
        except ValueError as exc:
            raise params.refuse("parse", f"{name}: {exc}") from None
        out.append({"id": name, "type": ftype, "info": info})
        columns.append(Column(name, ftype, trues, falses, fmt))
    if len({c.name for c in columns}) != len(columns):
        raise params.refuse("fields", "field names must be distinct")
    return out, columns


def _names(data_dict: dict[str, Any], field: str, known: set[str]) -> list[str]:
    value = data_dict.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v in known for v in value):
        raise params.refuse(field, "must be a list of the declared field names")
    return list(dict.fromkeys(value))


def _validated(data_dict: dict[str, Any]) -> dict[str, Any]:
    fields, columns = _columns(data_dict)
    known = {c.name for c in columns}
    try:
        missing = words(data_dict.get("missing_values", [""]), "missing_values")
    except ValueError as exc:
        raise params.refuse("missing_values", str(exc)) from None
    checked: dict[str, Any] = {
        "resource_id": params.resource_id(data_dict),
        "fields": fields,
        "columns": columns,
        "primary_key": _names(data_dict, "primary_key", known),
        "indexes": _names(data_dict, "indexes", known),
        "missing": missing,
        "base": None,
    }
    if data_dict.get("base_resource_id") is not None:
        checked["base"] = params.resource_id(data_dict, "base_resource_id")
        if not checked["primary_key"]:
            raise params.refuse("primary_key", "a table built from a base table needs a key")
        drop = data_dict.get("drop_keys") or []
        width = len(checked["primary_key"])
        if (
            not isinstance(drop, list)
            or len(drop) > MAX_DROP_KEYS
            or not all(
                isinstance(k, list) and len(k) == width and all(isinstance(v, str) for v in k)
                for k in drop
            )
        ):
            raise params.refuse(
                "drop_keys", f"must be at most {MAX_DROP_KEYS} keys, each a list of {width} texts"
            )
        rows = data_dict.get("rows_csv") or ""
        if not isinstance(rows, str) or len(rows) > MAX_ROWS_CSV or "\x00" in rows:
            raise params.refuse("rows_csv", "must be CSV text of at most 64 MB")
        checked["drop"], checked["rows_csv"] = drop, rows
    return checked


def _file_path(res: model.Resource) -> str:
    from ckan.lib import uploader

    upload = uploader.get_resource_uploader({"id": res.id, "url": res.url, "url_type": "upload"})
    return str(upload.get_path(res.id))


def _header(stream: Any) -> list[str]:
    first = stream.readline().decode("utf-8-sig")
    stream.seek(0)
    return next(csv.reader([first]), [])


def _check_header(header: list[str], columns: list[Column], where: str) -> None:
    if sorted(header) != sorted(c.name for c in columns):
        raise params.refuse(
            "fields",
            f"the header of {where} ({', '.join(header)[:300]}) does not name the declared "
            "fields; publish the release again",
        )


def _table_columns(conn: Any, table: str) -> list[tuple[str, str]]:
    rows = conn.execute(
        sa.text(
            """SELECT a.attname, format_type(a.atttypid, NULL) FROM pg_attribute a
               JOIN pg_class c ON c.oid = a.attrelid
               WHERE c.relname = :t AND c.relkind = 'r' AND a.attnum > 0
                 AND NOT a.attisdropped AND c.relnamespace = 'public'::regnamespace
               ORDER BY a.attnum"""
        ),
        {"t": table},
    ).fetchall()
    return [(r[0], r[1]) for r in rows if not r[0].startswith("_")]


def _check_base(conn: Any, base: str, plan: LoadPlan) -> None:
    mine = _table_columns(conn, plan.table)
    theirs = _table_columns(conn, base)
    if not theirs:
        raise params.refuse("base_resource_id", f"no DataStore table for {base}")
    if mine != theirs:
        raise params.refuse(
            "base_resource_id", "the base table's columns differ from the declared fields"
        )


def _drop_secondary_indexes(conn: Any, table: str) -> None:
    names = conn.execute(
        sa.text(
            """SELECT i.relname FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_class i ON i.oid = x.indexrelid
               WHERE t.relname = :t AND NOT x.indisprimary
                 AND t.relnamespace = 'public'::regnamespace"""
        ),
        {"t": table},
    ).fetchall()
    for (name,) in names:
        conn.execute(sa.text(f'DROP INDEX "{name}"'))


def _copy(conn: Any, sql: str, stream: Any) -> int:
    """COPY … FROM STDIN fed from ``stream``; the rows copied."""
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(sql, stream, size=COPY_BUFFER)
        return int(cursor.rowcount)
    finally:
        cursor.close()


def _primary_key(conn: Any, table: str) -> str | None:
    """The name of the table's primary key constraint (CKAN's, on ``_id``)."""
    name = conn.execute(
        sa.text(
            """SELECT conname FROM pg_constraint WHERE contype = 'p' AND conrelid =
               (SELECT oid FROM pg_class WHERE relname = :t
                AND relnamespace = 'public'::regnamespace)"""
        ),
        {"t": table},
    ).scalar_one_or_none()
    return str(name) if name else None


def _prepare(
    conn: Any, checked: dict[str, Any], plan: LoadPlan, res: model.Resource
) -> tuple[str | None, list[str]]:
    """The empty table without its indexes (the primary key's too) and trigger; for a whole
    load the file's header, checked; for a table built from a base the work table of keys to
    leave out. Committed, so that the sessions filling the table see it. Returns (the
    primary key's name, the file's header or [])."""
    for sql in plan.drop_work_tables():
        conn.execute(sa.text(sql))
    _drop_secondary_indexes(conn, plan.table)
    pkey = _primary_key(conn, plan.table)
    if pkey is not None:  # built again after the load, beside the other indexes
        conn.execute(sa.text(f'ALTER TABLE "{plan.table}" DROP CONSTRAINT "{pkey}"'))
    conn.execute(sa.text(f'ALTER TABLE "{plan.table}" DISABLE TRIGGER zfulltext'))
    base = checked["base"]
    if base is None:
        with open(_file_path(res), "rb") as stream:
            header = _header(stream)
        _check_header(header, plan.columns, f"the file of resource {res.id}")
        return pkey, header
    _check_base(conn, base, plan)
    key = checked["primary_key"]
    conn.execute(sa.text(plan.drop_table(key)))
    if checked["drop"]:
        arrays = {f"k{i}": [k[i] for k in checked["drop"]] for i in range(len(key))}
        conn.execute(sa.text(plan.fill_drop(key)), arrays)
    conn.execute(sa.text(f"ANALYZE {plan.drop}"))
    return pkey, []


def _fill_parts(engine: Any, plan: LoadPlan, path: Path, header: list[str], parts: int) -> int:
    """The file cut into ``parts`` (load_parts.py), each COPYed into its session's
    temporary table and typed by that session, all at once; a row's ``_id`` is its number
    in the file (the rows of the parts before it are counted first)."""
    ranges = file_parts(path, parts)
    copied = [0] * len(ranges)
    counted = threading.Barrier(len(ranges))

    def part(i: int) -> Callable[[Any], int]:
        def run(conn: Any) -> int:
            conn.execute(sa.text(plan.source_table(part=True)))
            with FileSlice(path, *ranges[i]) as stream:
                copied[i] = _copy(conn, plan.copy(header, part=True, with_header=i == 0), stream)
            counted.wait(timeout=MAX_WAIT_S)
            return int(conn.execute(sa.text(plan.insert_part(sum(copied[:i])))).rowcount)

        return run

    return run_jobs(engine, [part(i) for i in range(len(ranges))], on_error=counted.abort)


def _fill(
    engine: Any,
    checked: dict[str, Any],
    plan: LoadPlan,
    sessions: int,
    path: Path,
    header: list[str],
) -> tuple[str, int]:
    """Rows into the prepared table, by ``sessions`` sessions at once: (which way, rows);
    a whole load reads the file at ``path`` (its ``header``)."""
    base, key = checked["base"], checked["primary_key"]
    if base is None:
        rows = _fill_parts(engine, plan, path, header, sessions)
    else:
        rows = run_each(
            engine, [[(plan.keep_from_base(base, key, i, sessions), {})] for i in range(sessions)]
        )
    with engine.begin() as conn:
        settings(conn)
        conn.execute(sa.text(plan.reset_sequence()))  # new rows' _ids come after the others
        text = checked.get("rows_csv") or ""
        if base is not None and text.strip():
            conn.execute(sa.text(plan.source_table()))
            changed = io.BytesIO(text.encode("utf-8"))
            header = _header(changed)
            _check_header(header, plan.columns, "rows_csv")
            _copy(conn, plan.copy(header), changed)
            rows += conn.execute(sa.text(plan.insert_changed(base, key))).rowcount
        conn.execute(sa.text(f'ALTER TABLE "{plan.table}" ENABLE TRIGGER zfulltext'))
    return ("copy" if base is None else "delta"), rows


def _index(engine: Any, checked: dict[str, Any], rid: str, pkey: str | None) -> None:
    """The full-text index and the b-trees (``_id``'s unique index first, which becomes the
    primary key ``pkey`` again) built at the same time by two sessions; then CKAN's own
    create_indexes, which finds them all and builds only what would be missing."""
    from ckanext.datastore.backend.postgres import create_indexes

    fields = [{"id": f["id"], "type": f["type"]} for f in checked["fields"]]
    ids = [f'CREATE UNIQUE INDEX "{pkey}" ON "{rid}" (_id)'] if pkey else []
    btrees = btree_statements(rid, checked["primary_key"], checked["indexes"])
    run_each(
        engine,
        [
            [(sql, {}) for sql in full_text_statements(rid, fields)],
            [(sql, {}) for sql in ids + btrees],
        ],
    )
    with engine.begin() as conn:
        settings(conn)
        if pkey:
            conn.execute(
                sa.text(
                    f'ALTER TABLE "{rid}" ADD CONSTRAINT "{pkey}" PRIMARY KEY USING INDEX "{pkey}"'
                )
            )
        create_indexes(
            {"connection": conn},
            {"resource_id": rid, "primary_key": checked["primary_key"] or None, "indexes": None},
        )


def _sweep(engine: Any, holder: Any) -> None:
    """Drop the work tables of loads that no longer run (a portal worker killed mid-load)."""
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA IF NOT EXISTS {WORK_SCHEMA}"))
    except sa.exc.IntegrityError:
        pass  # another load created it at the same moment
    with engine.begin() as conn:
        names = conn.execute(
            sa.text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": WORK_SCHEMA}
        ).scalars()
        tags = {t for t in (tag_of(n) for n in names) if t}
    for tag in stale_tags(holder, tags):
        with engine.begin() as conn:
            for table in work_tables(tag):
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))


def _drop_work(engine: Any, plan: LoadPlan) -> None:
    try:
        with engine.begin() as conn:
            for sql in plan.drop_work_tables():
                conn.execute(sa.text(sql))
    except sa.exc.DBAPIError:
        log.warning("dulieumo_datastore_load %s: work tables left behind", plan.table)


def _base_resource(checked: dict[str, Any], res: model.Resource) -> None:
    """The base table must be a release-data resource of the same public dataset."""
    base = release_resource(checked["base"])
    if base is None or public_name(base.package.name) != public_name(res.package.name):
        raise params.refuse(
            "base_resource_id",
            f"must be a release data resource of dataset {public_name(res.package.name)}",
        )


def _sessions() -> int:
    """Sessions filling a table at once (``ckanext.dulieumo.load_sessions``, default 2)."""
    try:
        wanted = int(tk.config.get("ckanext.dulieumo.load_sessions") or DEFAULT_SESSIONS)
    except (TypeError, ValueError):
        wanted = DEFAULT_SESSIONS
    return max(1, min(MAX_SESSIONS, wanted))


def _delete_table(context: dict[str, Any], rid: str) -> None:
    try:
        tk.get_action("datastore_delete")(
            {"ignore_auth": True, "user": context.get("user")}, {"resource_id": rid, "force": True}
        )
    except tk.ObjectNotFound:
        pass


def datastore_load(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Load a release's CSV into its DataStore table with COPY (see the module docstring).

    :param resource_id: the release's data resource (uploaded CSV, role release-data);
    :param fields: [{id, type, info}] as for datastore_create (types: text, int4, int8,
      numeric, bool, date, timestamp, timestamptz, time, json);
    :param primary_key: field names; :param indexes: fields to index (filterable);
    :param missing_values: texts read as null (default [""]);
    :param parse: {field: {true_values, false_values, format}} (format: a to_date pattern);
    :param base_resource_id: optional, the previous release's table to build from, with
      :param drop_keys: [[key values]] to leave out and :param rows_csv: rows to add (CSV).
    """
    from ckanext.datastore.backend import DatastoreBackend
    from ckanext.datastore.backend.postgres import get_write_engine

    checked = _validated(data_dict)
    tk.check_access("dulieumo_datastore_load", context, data_dict)
    rid = checked["resource_id"]
    res = release_resource(rid)
    if res is None:
        raise tk.ObjectNotFound(f"release data resource {rid} not found")
    if checked["base"] is not None:
        _base_resource(checked, res)
    if res.extras.get("datastore_active") and not res.package.name.endswith(STAGING_SUFFIX):
        raise params.refuse(
            "resource_id",
            f"resource {rid} is a published release: its table is never replaced; "
            "publish a new release instead",
        )
    started = time.perf_counter()
    _delete_table(context, rid)  # a retry after a failed load starts from nothing
    tk.get_action("datastore_create")(
        {"ignore_auth": True, "user": context.get("user")},
        {"resource_id": rid, "force": True, "fields": checked["fields"], "records": []},
    )
    created = time.perf_counter()
    language = str(tk.config.get("ckan.datastore.default_fts_lang") or "english")
    tag = work_tag(rid)
    plan = LoadPlan(rid, checked["columns"], checked["missing"], language, *work_tables(tag))
    engine = get_write_engine()
    try:
        with holding(engine, tag) as holder:
            _sweep(engine, holder)
            with engine.begin() as conn:
                settings(conn)
                pkey, header = _prepare(conn, checked, plan, res)
            prepared = time.perf_counter()
            mode, rows = _fill(engine, checked, plan, _sessions(), Path(_file_path(res)), header)
            loaded = time.perf_counter()
            _index(engine, checked, rid, pkey)
            indexed = time.perf_counter()
    except sa.exc.DBAPIError as exc:
        _delete_table(context, rid)
        first = str(getattr(exc, "orig", exc)).strip().splitlines()
        raise params.refuse(
            "resource_id",
            f"the release file of resource {rid} could not be loaded: "
            f"{first[0][:300] if first else type(exc).__name__}",
        ) from None
    except Exception:
        _delete_table(context, rid)
        raise
    finally:
        _drop_work(engine, plan)
    DatastoreBackend.get_active_backend().calculate_record_count(rid)
    done = time.perf_counter()
    log.info(
        "dulieumo_datastore_load %s: %s rows (%s) in %.1f s (rows %.1f s, indexes %.1f s; "
        "table created %.1f s, file copied %.1f s, rows typed %.1f s, indexes built %.1f s, "
        "counted %.1f s)",
        rid,
        rows,
        mode,
        done - started,
        loaded - started,
        done - loaded,
        created - started,
        prepared - created,
        loaded - prepared,
        indexed - loaded,
        done - indexed,
    )
    return {
        "resource_id": rid,
        "rows": int(rows),
        "mode": mode,
        "seconds": {"load": round(loaded - started, 3), "indexes": round(done - loaded, 3)},
        "staging": res.package.name.endswith(STAGING_SUFFIX),
    }
