"""A scratch PostgreSQL database of ours on the local server, dropped afterwards."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import pytest

from dulieumo.settings import settings


def _admin() -> object:
    env = settings()
    try:
        conn = psycopg2.connect(
            host=env.pg_host,
            port=env.pg_port,
            user=env.pg_superuser,
            password=env.pg_superuser_password or None,
            dbname="postgres",
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        pytest.skip(f"no local PostgreSQL: {exc}")
    conn.autocommit = True
    return conn


def url_of(name: str) -> str:
    env = settings()
    auth = env.pg_superuser + (f":{env.pg_superuser_password}" if env.pg_superuser_password else "")
    return f"postgresql://{auth}@{env.pg_host}:{env.pg_port}/{name}"


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A new empty database; yields its postgresql:// URL; drops it at the end."""
    name = f"{prefix}_{os.getpid()}"
    admin = _admin()
    with admin.cursor() as cur:  # type: ignore[attr-defined]
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url_of(name)
    finally:
        with admin.cursor() as cur:  # type: ignore[attr-defined]
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()  # type: ignore[attr-defined]
