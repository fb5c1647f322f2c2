"""Stable DataStore names of a dataset's newest release (`dulieumo_datastore_alias`).

A dataset has exactly two aliases, both derived on the server and never chosen by the caller:
its name with ``-`` → ``_`` (``co-so-luu-tru`` → ``co_so_luu_tru``) and the id of one of its
own resources (the "latest data" link). The target table must be a resource of the same
dataset or of its staging dataset. A name starting with ``_`` or ``pg_`` (CKAN's
``_table_metadata``, PostgreSQL's catalogues), holding a NUL or longer than PostgreSQL's 63
bytes is refused, and only an alias we made (a view of one DataStore table) is replaced.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import params
from .auth import public_name

MAX_IDENTIFIER_BYTES = 63
RESERVED_PREFIXES = ("_", "pg_")


def alias_name(dataset_name: str) -> str:
    """The dataset's DataStore alias, e.g. co-so-luu-tru → co_so_luu_tru."""
    return dataset_name.replace("-", "_")


def is_safe_name(name: str) -> bool:
    return (
        bool(name)
        and not name.startswith(RESERVED_PREFIXES)
        and "\0" not in name
        and len(name.encode("utf-8")) <= MAX_IDENTIFIER_BYTES
        and bool(params.RESOURCE_ID.match(name))
    )


def allowed_aliases(pkg: model.Package) -> set[str]:
    """The names a dataset may point: its derived alias and its own resources' ids."""
    names = {alias_name(pkg.name)}
    names |= {r.id for r in pkg.resources_all if r.state == "active"}
    return {n for n in names if is_safe_name(n)}


def _check_aliases(aliases: Any, pkg: model.Package) -> list[str]:
    if not isinstance(aliases, list) or not aliases or len(aliases) > 10:
        raise params.refuse("aliases", "must be a list of 1-10 names")
    allowed = allowed_aliases(pkg)
    for alias in aliases:
        if not isinstance(alias, str) or alias not in allowed:
            shown = alias if isinstance(alias, str) and is_safe_name(alias) else "this name"
            raise params.refuse(
                "aliases",
                f"{shown} is not an alias of dataset {pkg.name}: its aliases are "
                f"{alias_name(pkg.name)} and the ids of its own resources",
            )
    return list(dict.fromkeys(aliases))


def _is_our_alias(conn: Any, alias: str) -> bool:
    """An existing view may be replaced only when it is a view of one DataStore table."""
    rows = conn.execute(
        sa.text(
            """SELECT t.alias_of, c.relkind FROM "_table_metadata" t
               LEFT JOIN pg_class c ON c.relname = t.alias_of
                    AND c.relnamespace = 'public'::regnamespace
               WHERE t.name = :a"""
        ),
        {"a": alias},
    ).fetchall()
    return len(rows) == 1 and rows[0][1] == "r" and is_safe_name(str(rows[0][0] or ""))


def _points_into(table: str, pkg: model.Package) -> bool:
    """The alias's current table is one of this dataset's (or an orphan table)."""
    res = model.Resource.get(table)
    if res is None or res.package is None:
        return True
    return public_name(res.package.name) == pkg.name


def datastore_alias(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Point a dataset's DataStore aliases at one of its tables, in one DataStore transaction.

    :param resource_id: the table (a resource of the dataset or of its staging dataset);
    :param aliases: which of the dataset's aliases to point (default: its derived name).
    """
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    rid = params.resource_id(data_dict)
    tk.check_access("dulieumo_datastore_alias", context, data_dict)
    res = model.Resource.get(rid)
    if res is None or res.package is None or res.state != "active":
        raise tk.ObjectNotFound(f"resource {rid} not found")
    pkg = model.Package.get(public_name(res.package.name))
    if pkg is None:
        raise tk.ObjectNotFound(f"dataset {public_name(res.package.name)} not found")
    if not is_safe_name(alias_name(pkg.name)):
        raise params.refuse(
            "aliases", f"dataset {pkg.name} cannot have a DataStore alias (reserved name)"
        )
    aliases = _check_aliases(data_dict.get("aliases") or [alias_name(pkg.name)], pkg)
    engine = get_write_engine()
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text(
                """SELECT 1 FROM pg_class WHERE relname = :r AND relkind = 'r'
                   AND relnamespace = 'public'::regnamespace"""
            ),
            {"r": rid},
        ).fetchone()
        if not exists:
            raise params.refuse("resource_id", f"no DataStore table for {rid}")
        for alias in aliases:
            if alias == rid:
                raise params.refuse("aliases", f"{alias} is the table itself")
            current = conn.execute(
                sa.text('SELECT alias_of FROM "_table_metadata" WHERE name = :a'), {"a": alias}
            ).fetchall()
            if len(current) == 1 and current[0][0] == rid:
                continue  # already there: write nothing
            kind = conn.execute(
                sa.text(
                    """SELECT relkind FROM pg_class WHERE relname = :a
                       AND relnamespace = 'public'::regnamespace"""
                ),
                {"a": alias},
            ).fetchone()
            if kind and (kind[0] != "v" or not _is_our_alias(conn, alias)):
                raise params.refuse("aliases", f"{alias} is a table, not an alias")
            if kind and not _points_into(current[0][0], pkg):
                raise params.refuse(
                    "aliases", f"{alias} is the alias of another dataset; it is left as it is"
                )
            conn.execute(sa.text(f"DROP VIEW IF EXISTS {identifier(alias)}"))
            conn.execute(
                sa.text(f"CREATE VIEW {identifier(alias)} AS SELECT * FROM {identifier(rid)}")
            )
    return {"resource_id": rid, "aliases": aliases}
