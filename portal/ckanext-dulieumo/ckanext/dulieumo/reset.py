"""Empty a portal's data quickly, for tests: datasets, organisations, groups, DataStore, uploads.

Kept: users, API tokens, user follows of users, system settings. Everything runs as plain
SQL in two transactions (CKAN database, DataStore database) plus a file-tree cleanup, so it
takes well under a second on a test portal.

A running CKAN server stays consistent: CKAN keeps no dataset, organisation or group state
in process memory between requests (its SQLAlchemy session is removed after each request and
package_show falls back to the database when the index has no row), so the next request sees
the empty portal and the same names can be created again.

This module imports nothing from CKAN, so it can also run without CKAN's slow start-up:
``python -m ckanext.dulieumo.reset /path/to/ckan.ini``.
"""

from __future__ import annotations

import configparser
import os
import shutil
import sys
import time

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

#: our own tables emptied too (names kept here so this module needs no CKAN import)
SEARCH_TABLE = "dulieumo_search_doc"
LOCK_TABLE = "dulieumo_release_lock"

#: CKAN data tables emptied by reset (those that exist in this CKAN version)
DATA_TABLES = [
    "package",
    "resource",
    "resource_view",
    "package_tag",
    "tag",
    "vocabulary",
    "package_extra",
    "package_relationship",
    "package_member",
    "member",
    "group",
    "group_extra",
    "activity",
    "activity_detail",
    "user_following_dataset",
    "user_following_group",
    "task_status",
    "term_translation",
    "tracking_raw",
    "tracking_summary",
    SEARCH_TABLE,
    LOCK_TABLE,
]

#: give up rather than wait forever behind a transaction left open by another process
LOCK_TIMEOUT = "15s"


def _engine(url: str) -> sa.engine.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def reset_ckan_db(url: str) -> list[str]:
    """TRUNCATE the data tables of the CKAN database; returns the tables emptied."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            existing = {
                row[0]
                for row in conn.execute(
                    sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                )
            }
            tables = [t for t in DATA_TABLES if t in existing]
            # table names come from our constant list above, never from input
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
            if "file" in existing and "file_owner" in existing:
                # files owned by anything but a user (resources, groups, orphans)
                conn.execute(
                    sa.text(
                        "DELETE FROM file WHERE id NOT IN "
                        "(SELECT file_id FROM file_owner WHERE owner_type = 'user')"
                    )
                )
    finally:
        engine.dispose()
    return tables


def reset_datastore(url: str) -> int:
    """DROP every DataStore table (and so its aliases); returns how many were dropped."""
    engine = _engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))
            names = [
                row[0]
                for row in conn.execute(
                    sa.text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename NOT LIKE '\\_%'"
                    )
                )
            ]
            for name in names:
                quoted = conn.execute(sa.text("SELECT quote_ident(:n)"), {"n": name}).scalar()
                conn.execute(sa.text(f"DROP TABLE IF EXISTS {quoted} CASCADE"))
            has_stats = conn.execute(
                sa.text("SELECT to_regclass('public._table_stats') IS NOT NULL")
            ).scalar()
            if has_stats:
                conn.execute(sa.text('TRUNCATE "_table_stats"'))
    finally:
        engine.dispose()
    return len(names)


def reset_storage(storage_path: str | None) -> None:
    """Delete uploaded resource files and organisation/group images; keep user images."""
    if not storage_path:
        return
    resources = os.path.join(storage_path, "resources")
    if os.path.isdir(resources):
        shutil.rmtree(resources)
    uploads = os.path.join(storage_path, "storage", "uploads")
    if os.path.isdir(uploads):
        for entry in os.listdir(uploads):
            if entry == "user":
                continue
            path = os.path.join(uploads, entry)
            if os.path.isdir(path):
                shutil.rmtree(path)
            else:
                os.remove(path)


def reset(ckan_url: str, datastore_url: str | None, storage_path: str | None) -> float:
    """Empty the portal's data; returns the seconds it took."""
    started = time.monotonic()
    reset_ckan_db(ckan_url)
    if datastore_url:
        reset_datastore(datastore_url)
    reset_storage(storage_path)
    return time.monotonic() - started


def settings_from_ini(ini: str) -> tuple[str, str | None, str | None]:
    """(sqlalchemy.url, ckan.datastore.write_url, ckan.storage_path) of a CKAN ini file."""
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    with open(ini, encoding="utf-8") as fh:
        parser.read_file(fh)
    here = os.path.dirname(os.path.abspath(ini))

    def get(key: str) -> str | None:
        # environment variables override the ini, as in CKAN (CKAN_SQLALCHEMY_URL, …)
        env = {
            "sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
            "ckan.datastore.write_url": "CKAN_DATASTORE_WRITE_URL",
            "ckan.storage_path": "CKAN_STORAGE_PATH",
        }[key]
        if os.environ.get(env):
            return os.environ[env]
        value = parser.get("app:main", key, fallback=None)
        return value.replace("%(here)s", here).strip() if value else None

    url = get("sqlalchemy.url")
    if not url:
        raise SystemExit(f"{ini}: no sqlalchemy.url in [app:main]")
    return url, get("ckan.datastore.write_url"), get("ckan.storage_path")


def main(argv: list[str] | None = None) -> int:
    """``python -m ckanext.dulieumo.reset INI``: the same reset without starting CKAN."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m ckanext.dulieumo.reset /path/to/ckan.ini", file=sys.stderr)
        return 2
    seconds = reset(*settings_from_ini(args[0]))
    print(f"portal data reset in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
