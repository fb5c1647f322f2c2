"""Release actions of dulieumo: a publication lock and the atomic switch to a new release.

The publisher prepares a release out of public sight (files and DataStore tables in a private
staging dataset), then calls ``dulieumo_release_switch`` which, in ONE database transaction,
moves the staged resources into the public dataset, re-points its "latest" resources, updates
its metadata and makes it public. The DataStore aliases (stable "latest" identifiers) are then
re-pointed in one transaction of the DataStore database.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

log = logging.getLogger(__name__)

LOCK_TABLE = "dulieumo_release_lock"
RESOURCE_FIELDS = {
    "url",
    "name",
    "description",
    "format",
    "hash",
    "size",
    "mimetype",
    "last_modified",
    "url_type",
}


def init_lock_table() -> None:
    model.Session.execute(
        sa.text(
            f"""CREATE TABLE IF NOT EXISTS {LOCK_TABLE} (
                dataset text PRIMARY KEY,
                owner text NOT NULL,
                expires_at timestamptz NOT NULL)"""
        )
    )
    model.Session.commit()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _check_org(context: dict[str, Any], owner_org: str) -> None:
    tk.check_access("package_create", context, {"owner_org": owner_org})


def release_lock(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Take, renew or give back the publication lock of one dataset name.

    :param id: dataset name; :param owner_org: its organisation; :param owner: the run's id;
    :param ttl: seconds the lock lasts (default 900); :param release: give it back.
    Raises ValidationError when another run holds a lock that has not expired.
    """
    name, owner = tk.get_or_bust(data_dict, ["id", "owner"])
    _check_org(context, tk.get_or_bust(data_dict, "owner_org"))
    init_lock_table()
    if tk.asbool(data_dict.get("release", False)):
        model.Session.execute(
            sa.text(f"DELETE FROM {LOCK_TABLE} WHERE dataset = :d AND owner = :o"),
            {"d": name, "o": owner},
        )
        model.Session.commit()
        return {"dataset": name, "owner": None}
    ttl = int(data_dict.get("ttl", 900))
    row = model.Session.execute(
        sa.text(
            f"""INSERT INTO {LOCK_TABLE} (dataset, owner, expires_at) VALUES (:d, :o, :e)
            ON CONFLICT (dataset) DO UPDATE SET owner = EXCLUDED.owner,
                                                expires_at = EXCLUDED.expires_at
            WHERE {LOCK_TABLE}.expires_at < now() OR {LOCK_TABLE}.owner = EXCLUDED.owner
            RETURNING owner"""
        ),
        {"d": name, "o": owner, "e": _now() + dt.timedelta(seconds=ttl)},
    ).fetchone()
    if row is None:
        holder = model.Session.execute(
            sa.text(f"SELECT owner, expires_at FROM {LOCK_TABLE} WHERE dataset = :d"), {"d": name}
        ).fetchone()
        model.Session.rollback()
        raise tk.ValidationError(
            {
                "lock": [
                    f"dataset {name} is being published by run {holder[0]} until "
                    f"{holder[1].isoformat()}"
                ]
            }
        )
    model.Session.commit()
    return {"dataset": name, "owner": owner}


def _holds_lock(name: str, owner: str) -> bool:
    row = model.Session.execute(
        sa.text(
            f"SELECT 1 FROM {LOCK_TABLE} WHERE dataset = :d AND owner = :o AND expires_at > now()"
        ),
        {"d": name, "o": owner},
    ).fetchone()
    return row is not None


def release_switch(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Make a prepared release public in one transaction.

    :param id: the public dataset; :param staging_id: the private staging dataset;
    :param owner: the run holding the lock; :param move: ids of staged resources to move;
    :param update_resources: {resource id: fields} for the public dataset's resources (the
    "latest" links); :param order: final order of resource ids; :param extras: {key: value}
    of the release (version, release list; None removes a key); :param version: the
    dataset's version field; :param private: visibility after the switch (default public);
    :param delete_resources: ids of the public dataset's resources to delete (retention).
    """
    pkg_id, staging_id, owner = tk.get_or_bust(data_dict, ["id", "staging_id", "owner"])
    tk.check_access("package_update", context, {"id": pkg_id})
    tk.check_access("package_update", context, {"id": staging_id})
    pkg = model.Package.get(pkg_id)
    staging = model.Package.get(staging_id)
    if pkg is None or staging is None:
        raise tk.ObjectNotFound("dataset or staging dataset not found")
    if not _holds_lock(pkg.name, owner):
        raise tk.ValidationError({"lock": [f"run {owner} does not hold the lock of {pkg.name}"]})

    session = model.Session
    try:
        for rid in data_dict.get("move", []):
            res = model.Resource.get(rid)
            if res is None or res.package_id != staging.id:
                raise tk.ValidationError({"move": [f"resource {rid} is not staged"]})
            res.package_id = pkg.id
        for rid, fields in (data_dict.get("update_resources") or {}).items():
            res = model.Resource.get(rid)
            if res is None or res.package_id != pkg.id:
                raise tk.ValidationError({"update_resources": [f"resource {rid} not found"]})
            extras = dict(res.extras or {})
            for key, value in fields.items():
                if key == "last_modified" and isinstance(value, str):
                    res.last_modified = dt.datetime.fromisoformat(value)
                elif key in RESOURCE_FIELDS:
                    setattr(res, key, value)
                else:
                    extras[key] = value
            res.extras = extras
        for rid in data_dict.get("delete_resources", []):
            res = model.Resource.get(rid)
            if res is not None and res.package_id == pkg.id:
                res.state = "deleted"
        session.flush()
        order = data_dict.get("order") or []
        live = list(
            session.query(model.Resource)
            .filter(model.Resource.package_id == pkg.id)
            .filter(model.Resource.state == "active")
        )
        rank = {rid: i for i, rid in enumerate(order)}
        live.sort(key=lambda r: (rank.get(r.id, len(rank)), r.position or 0))
        for i, res in enumerate(live):
            res.position = i
        extras = dict(pkg.extras or {})
        for key, value in (data_dict.get("extras") or {}).items():
            if value is None:
                extras.pop(key, None)
            else:
                extras[key] = str(value)
        pkg.extras = extras
        if "version" in data_dict:
            pkg.version = data_dict["version"]
        pkg.private = tk.asbool(data_dict.get("private", False))
        pkg.metadata_modified = dt.datetime.utcnow()
        session.commit()
    except Exception:
        session.rollback()
        raise
    search.rebuild(pkg.id)
    search.rebuild(staging.id)
    return tk.get_action("package_show")({"user": context.get("user")}, {"id": pkg.id})


def datastore_alias(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Point DataStore aliases at a resource's table in one DataStore transaction.

    :param resource_id: the table; :param aliases: names (a new alias or one of ours).
    """
    from ckanext.datastore.backend.postgres import get_write_engine, identifier

    rid = tk.get_or_bust(data_dict, "resource_id")
    aliases = tk.get_or_bust(data_dict, "aliases")
    res = model.Resource.get(rid)
    if res is None:
        raise tk.ObjectNotFound(f"resource {rid} not found")
    tk.check_access("package_update", context, {"id": res.package_id})
    engine = get_write_engine()
    with engine.begin() as conn:
        exists = conn.execute(
            sa.text("SELECT 1 FROM pg_class WHERE relname = :r AND relkind = 'r'"), {"r": rid}
        ).fetchone()
        if not exists:
            raise tk.ValidationError({"resource_id": [f"no DataStore table for {rid}"]})
        for alias in aliases:
            current = conn.execute(
                sa.text('SELECT alias_of FROM "_table_metadata" WHERE name = :a'), {"a": alias}
            ).fetchone()
            if current and current[0] == rid:
                continue  # already there: write nothing
            kind = conn.execute(
                sa.text("SELECT relkind FROM pg_class WHERE relname = :a"), {"a": alias}
            ).fetchone()
            if kind and kind[0] != "v":
                raise tk.ValidationError({"aliases": [f"{alias} is a table, not an alias"]})
            conn.execute(sa.text(f"DROP VIEW IF EXISTS {identifier(alias)}"))
            conn.execute(
                sa.text(f"CREATE VIEW {identifier(alias)} AS SELECT * FROM {identifier(rid)}")
            )
    return {"resource_id": rid, "aliases": list(aliases)}
