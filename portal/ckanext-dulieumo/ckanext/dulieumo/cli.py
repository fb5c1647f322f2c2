"""`ckan dulieumo …`: set up our tables; reset the portal's data for tests."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import click

from . import index, locks
from . import reset as reset_module


@click.group(short_help="dulieumo: search tables and test reset")
def dulieumo() -> None:
    """dulieumo's portal commands."""


@dulieumo.command("init-db")
def init_db() -> None:
    """Create dulieumo's tables (search index, release locks) if missing; idempotent."""
    index.ensure_table()
    locks.init_lock_table()
    stale = index.rows_needing_reindex()
    if stale:
        # rows written by an older version of the index (without per-field folded text)
        import ckan.lib.search as search

        search.rebuild(package_ids=stale, quiet=True)
        click.echo(f"re-indexed {len(stale)} dataset(s) for the new index layout")
    click.echo("dulieumo tables ready")


@dulieumo.command("reset")
def reset() -> None:
    """Purge all datasets, organisations, groups, activities, the search index, DataStore
    tables and uploads. Users and API tokens are kept."""
    index.ensure_table()
    locks.init_lock_table()
    model.Session.remove()  # hold no connection or lock of our own while truncating
    seconds = reset_module.reset(
        tk.config["sqlalchemy.url"],
        tk.config.get("ckan.datastore.write_url"),
        tk.config.get("ckan.storage_path"),
    )
    click.echo(f"portal data reset in {seconds:.2f} s")
