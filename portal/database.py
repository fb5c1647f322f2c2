"""PostgreSQL roles and databases for CKAN and its DataStore."""

from __future__ import annotations

from psycopg2 import sql

from .services import pg_connect
from .settings import PortalSettings


def _ensure_role(cur: object, name: str, password: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,))  # type: ignore[attr-defined]
    verb = "ALTER" if cur.fetchone() else "CREATE"  # type: ignore[attr-defined]
    cur.execute(  # type: ignore[attr-defined]
        sql.SQL(verb + " ROLE {} WITH LOGIN PASSWORD %s").format(sql.Identifier(name)), (password,)
    )


def _ensure_db(cur: object, name: str, owner: str) -> None:
    cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))  # type: ignore[attr-defined]
    if not cur.fetchone():  # type: ignore[attr-defined]
        cur.execute(  # type: ignore[attr-defined]
            sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )


def ensure_databases(settings: PortalSettings, secrets: dict[str, str]) -> None:
    """Create the CKAN and DataStore databases and their roles (idempotent)."""
    owner = settings.ckan_db
    ro_user = f"{settings.datastore_db}_ro"
    conn = pg_connect(settings)
    try:
        with conn.cursor() as cur:
            _ensure_role(cur, owner, secrets["ckan_db_password"])
            _ensure_role(cur, ro_user, secrets["datastore_ro_password"])
            _ensure_db(cur, settings.ckan_db, owner)
            _ensure_db(cur, settings.datastore_db, owner)
    finally:
        conn.close()


def ckan_schema_state(settings: PortalSettings) -> dict[str, bool]:
    """Which parts of the CKAN schema exist: core tables, activity, our search index."""
    conn = pg_connect(settings, settings.ckan_db)
    try:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            tables = {row[0] for row in cur.fetchall()}
    finally:
        conn.close()
    return {
        "core": {"package", "user", "api_token", "alembic_version"} <= tables,
        "activity": "activity" in tables,
        "search": any(t.startswith("dulieumo_search") for t in tables),
    }


def apply_datastore_permissions(settings: PortalSettings, script: str) -> None:
    """Run the SQL printed by `ckan datastore set-permissions` as the superuser.

    It is written for psql: its `\\connect` line names the DataStore database, which we
    connect to directly instead.
    """
    script = "\n".join(line for line in script.splitlines() if not line.startswith("\\"))
    conn = pg_connect(settings, settings.datastore_db)
    try:
        with conn.cursor() as cur:
            cur.execute(script)
    finally:
        conn.close()


def user_names(settings: PortalSettings) -> set[str]:
    conn = pg_connect(settings, settings.ckan_db)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT name FROM \"user\" WHERE state = 'active'")
            return {row[0] for row in cur.fetchall()}
    finally:
        conn.close()
