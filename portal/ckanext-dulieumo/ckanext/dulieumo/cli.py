"""`ckan dulieumo …`: set up our tables; reset the portal's data for tests."""

from __future__ import annotations

import os
import shutil
import time

import click
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import backend, releases

#: data tables emptied by `reset` (users, API tokens and system settings stay)
DATA_TABLES = [
    "package", "resource", "resource_view", "package_tag", "tag", "vocabulary",
    "package_extra", "package_relationship", "package_member", "member", "group",
    "group_extra", "activity", "activity_detail", "user_following_dataset",
    "user_following_group", "task_status", "term_translation",
    backend.TABLE, releases.LOCK_TABLE,
]


@click.group(short_help="dulieumo: search tables and test reset")
def dulieumo() -> None:
    """dulieumo's portal commands."""


@dulieumo.command("init-db")
def init_db() -> None:
    """Create dulieumo's tables (search index, release locks) if missing."""
    backend.ensure_table()
    releases.init_lock_table()
    click.echo("dulieumo tables ready")


@dulieumo.command("reset")
def reset() -> None:
    """Purge all datasets, organisations, groups, activities, DataStore tables and uploads.

    Users and API tokens are kept.
    """
    started = time.monotonic()
    backend.ensure_table()
    releases.init_lock_table()
    existing = {
        row[0] for row in model.Session.execute(sa.text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
    }
    tables = [t for t in DATA_TABLES if t in existing]
    model.Session.execute(sa.text(
        "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
    model.Session.commit()

    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().begin() as conn:
        names = [row[0] for row in conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        for name in names:
            if name.startswith("_"):
                continue  # the DataStore's own tables (_table_stats)
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}" CASCADE'))

    storage = tk.config.get("ckan.storage_path")
    if storage:
        for sub in ("resources", "storage"):
            path = os.path.join(storage, sub)
            if os.path.isdir(path):
                shutil.rmtree(path)
    click.echo(f"portal data reset in {time.monotonic() - started:.2f} s")
