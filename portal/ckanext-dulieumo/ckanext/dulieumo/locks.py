"""The per-dataset publication lock (`dulieumo_release_lock`).

One run publishes a dataset at a time. The run takes the lock with its owner id and a ttl,
renews it while it works (a heartbeat), and gives it back at the end. The answer is a
structured result; it never names the run holding the lock:

    {"dataset": "...", "status": "acquired" | "renewed" | "released" | "held" | "free"
     | "cleared", "mine": bool, "expires": iso | None, "renewed": iso | None, "stale": bool}

A lock not renewed for two heartbeat periods (2/3 of its ttl) is stale: its run is gone,
and ``op: "unlock"`` clears it; a fresh lock is cleared only with ``force``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from . import params

LOCK_TABLE = "dulieumo_release_lock"
DEFAULT_TTL_S = 600
MAX_TTL_S = 6 * 3600
OPS = ("acquire", "renew", "release", "status", "unlock")
#: a live run renews every ttl/3; two periods without a renewal mean no run holds it
STALE_FRACTION = 2 / 3

_table_ready = False


def init_lock_table() -> None:
    global _table_ready
    model.Session.execute(
        sa.text(
            f"""CREATE TABLE IF NOT EXISTS {LOCK_TABLE} (
                dataset text PRIMARY KEY,
                owner text NOT NULL,
                expires_at timestamptz NOT NULL)"""
        )
    )
    model.Session.execute(
        sa.text(
            f"""ALTER TABLE {LOCK_TABLE}
                ADD COLUMN IF NOT EXISTS renewed_at timestamptz NOT NULL DEFAULT now(),
                ADD COLUMN IF NOT EXISTS ttl integer NOT NULL DEFAULT {DEFAULT_TTL_S}"""
        )
    )
    model.Session.commit()
    _table_ready = True


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _answer(name: str, status: str, owner: str | None, row: Any | None) -> dict[str, Any]:
    """The structured result; `row` is (owner, expires_at, renewed_at, ttl, live, stale)."""
    if row is None or not row[4]:
        return {
            "dataset": name,
            "status": status,
            "mine": False,
            "expires": None,
            "renewed": None,
            "stale": False,
        }
    return {
        "dataset": name,
        "status": status,
        "mine": owner is not None and row[0] == owner,
        "expires": _iso(row[1]),
        "renewed": _iso(row[2]),
        "stale": bool(row[5]),
    }


def _current(name: str) -> Any | None:
    return model.Session.execute(
        sa.text(
            f"""SELECT owner, expires_at, renewed_at, ttl, expires_at > now(),
                       now() - renewed_at > ttl * :f * interval '1 second'
                FROM {LOCK_TABLE} WHERE dataset = :d"""
        ),
        {"d": name, "f": STALE_FRACTION},
    ).fetchone()


def _acquire(name: str, owner: str, ttl: int) -> str | None:
    """'acquired', 'renewed' (the same run again: a retry), or None when another run holds it."""
    row = model.Session.execute(
        sa.text(
            f"""WITH prev AS (
                    SELECT owner, expires_at > now() AS live FROM {LOCK_TABLE} WHERE dataset = :d)
                INSERT INTO {LOCK_TABLE} (dataset, owner, expires_at, renewed_at, ttl)
                VALUES (:d, :o, now() + :t * interval '1 second', now(), :t)
                ON CONFLICT (dataset) DO UPDATE SET owner = EXCLUDED.owner,
                    expires_at = EXCLUDED.expires_at, renewed_at = EXCLUDED.renewed_at,
                    ttl = EXCLUDED.ttl
                WHERE {LOCK_TABLE}.expires_at < now() OR {LOCK_TABLE}.owner = EXCLUDED.owner
                RETURNING (SELECT owner FROM prev) = :o AND (SELECT live FROM prev)"""
        ),
        {"d": name, "o": owner, "t": ttl},
    ).fetchone()
    if row is None:
        return None
    return "renewed" if row[0] else "acquired"


def _renew(name: str, owner: str, ttl: int) -> bool:
    row = model.Session.execute(
        sa.text(
            f"""UPDATE {LOCK_TABLE} SET expires_at = now() + :t * interval '1 second',
                    renewed_at = now(), ttl = :t
                WHERE dataset = :d AND owner = :o AND expires_at > now() RETURNING 1"""
        ),
        {"d": name, "o": owner, "t": ttl},
    ).fetchone()
    return row is not None


def _delete(name: str, owner: str | None = None) -> bool:
    where = "dataset = :d" + (" AND owner = :o" if owner is not None else "")
    row = model.Session.execute(
        sa.text(f"DELETE FROM {LOCK_TABLE} WHERE {where} RETURNING 1"), {"d": name, "o": owner}
    ).fetchone()
    return row is not None


def release_lock(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Take, renew, give back, inspect or clear the publication lock of one dataset.

    :param id: dataset name; :param owner: the run's id (all ops but status/unlock);
    :param owner_org: the organisation, only for a dataset that does not exist yet;
    :param op: acquire (default) | renew | release | status | unlock;
    :param ttl: seconds the lock lasts without renewal (default 600, at most 6 h);
    :param force: with unlock, clear a lock whose run still renews it;
    :param release: true is the older spelling of ``op: release``.
    """
    name = params.dataset_name(data_dict)
    op = params.choice(data_dict, "op", OPS, "acquire")
    if params.flag(data_dict, "release"):
        op = "release"
    owner = params.owner_id(data_dict) if op not in ("status", "unlock") else None
    if op == "status" and data_dict.get("owner") is not None:
        owner = params.owner_id(data_dict)
    ttl = params.integer(data_dict, "ttl", DEFAULT_TTL_S, 1, MAX_TTL_S)
    force = params.flag(data_dict, "force")
    tk.check_access("dulieumo_release_lock", context, data_dict)
    if not _table_ready:
        init_lock_table()
    try:
        status = _apply(op, name, owner, ttl, force)
        row = _current(name)
        model.Session.commit()
    except Exception:
        model.Session.rollback()
        raise
    return _answer(name, status, owner, row)


def _apply(op: str, name: str, owner: str | None, ttl: int, force: bool) -> str:
    if op == "acquire":
        assert owner is not None
        return _acquire(name, owner, ttl) or "held"
    if op == "renew":
        assert owner is not None
        return "renewed" if _renew(name, owner, ttl) else _state(name)
    if op == "release":
        return "released" if _delete(name, owner) else _state(name)
    if op == "unlock":
        row = _current(name)
        if row is None:
            return "free"
        if not row[4] or row[5] or force:  # expired, stale, or forced
            _delete(name)
            return "cleared"
        return "held"
    return _state(name)


def _state(name: str) -> str:
    row = _current(name)
    return "held" if row is not None and row[4] else "free"


def holds_lock(name: str, owner: str) -> bool:
    row = model.Session.execute(
        sa.text(
            f"SELECT 1 FROM {LOCK_TABLE} WHERE dataset = :d AND owner = :o AND expires_at > now()"
        ),
        {"d": name, "o": owner},
    ).fetchone()
    return row is not None
