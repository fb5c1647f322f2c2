"""`ckan dulieumo …`: set up our tables; reset the portal's data for tests."""

from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
import click

from . import bench_index, index, locks
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


@dulieumo.command("bench-index")
@click.option("--prefix", default="bench-", show_default=True, help="Name prefix of the clones")
@click.option("--count", default=0, show_default=True, help="Clones to add")
@click.option("--remove", is_flag=True, help="Delete every clone (templates stay)")
def bench_index_command(prefix: str, count: int, remove: bool) -> None:
    """bench/search only: clone the `<prefix>tpl-…` datasets' index rows (bench_index.py)."""
    if remove:
        click.echo(f"removed {bench_index.remove_clones(prefix)} clone(s)")
    if count:
        click.echo(f"added {bench_index.add_clones(prefix, count)} clone(s)")
