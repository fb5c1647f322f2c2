"""Run history: one record per attempt to publish a dataset.

Written at the end of every run (published, unchanged, invalid, failed, skipped, planned) and
by the crash recorder for a run that never reached its end. `dulieumo status` (freshness),
notifications and the leadership report read it.

Two stores, chosen by ``DULIEUMO_HISTORY_URL``:

- unset (the one-machine default): ``<work root>/history/runs.jsonl``, one JSON line per
  record, each written with a single ``write`` in append mode under an advisory lock;
- ``postgresql://user:password@host:port/database``: the table ``dulieumo_runs`` in a database
  of ours (on the portal's PostgreSQL server, say), which every worker and every CLI reaches,
  so the history is the same from any machine. The table is created on first use.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dulieumo.errors import TransientError
from dulieumo.paths import work_root
from dulieumo.redact import mask_data, mask_url
from dulieumo.runstatus import RunStatus
from dulieumo.settings import settings

#: the statuses a run ends with (stored as their string values)
STATUSES = tuple(RunStatus)


def history_file() -> Path:
    return work_root() / "history" / "runs.jsonl"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class RunRecord:
    """One attempt to publish one dataset."""

    dataset: str
    organization: str
    status: RunStatus
    started_at: str  # UTC ISO-8601
    finished_at: str = ""
    version: str | None = None
    reason: str | None = None  # why it failed / was skipped (English or Vietnamese message)
    error_code: str | None = None  # DulieumoError.code
    transient: bool | None = None
    findings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    report_url: str | None = None
    dataset_url: str | None = None
    flow_run_id: str | None = None
    trigger: str = "manual"  # manual | schedule | nightly
    #: what each notification channel did: {"channel": "email", "ok": false, "error": "..."}
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        if not isinstance(data, dict):
            raise TypeError("not a run record")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["status"] = RunStatus(str(known.get("status")))  # ValueError: not a run record
        return cls(**known)


class HistoryUnavailable(TransientError):
    """The shared run-history database (DULIEUMO_HISTORY_URL) does not answer."""

    code = "history-unavailable"


def store_url() -> str:
    """The shared store's URL (DULIEUMO_HISTORY_URL); empty for the file of this machine."""
    return settings().history_url.get_secret_value().strip()


def describe_store() -> str:
    """Where the history lives, without its password (for `status` and logs)."""
    url = store_url()
    return mask_url(url) if url else str(history_file())


def _line(record: RunRecord) -> str:
    return json.dumps(mask_data(record.to_dict()), ensure_ascii=False, default=str)


def _parse(raw: str | dict[str, Any]) -> RunRecord | None:
    try:
        return RunRecord.from_dict(json.loads(raw) if isinstance(raw, str) else raw)
    except (ValueError, TypeError):
        return None


# ---------------------------------------------------------------- PostgreSQL (shared)

_TABLE = """CREATE TABLE IF NOT EXISTS dulieumo_runs (
    id bigserial PRIMARY KEY,
    dataset text NOT NULL,
    flow_run_id text,
    started_at text NOT NULL,
    record jsonb NOT NULL
)"""
_ready: set[str] = set()


def _connect(url: str) -> Any:
    import psycopg2

    try:
        conn = psycopg2.connect(url, connect_timeout=10)
    except psycopg2.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HistoryUnavailable(
            f"The run history database {mask_url(url)} does not answer: {mask_url(first)}",
            hint="Check DULIEUMO_HISTORY_URL and that the database exists "
            "(createdb on the PostgreSQL server); unset it to keep the history on this machine.",
        ) from None
    if url not in _ready:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('dulieumo_runs:create'))")
            cur.execute(_TABLE)
            cur.execute(
                "CREATE INDEX IF NOT EXISTS dulieumo_runs_run ON dulieumo_runs (flow_run_id)"
            )
        _ready.add(url)
    return conn


def _pg_append(url: str, record: RunRecord) -> None:
    conn = _connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "INSERT INTO dulieumo_runs (dataset, flow_run_id, started_at, record) "
                "VALUES (%s, %s, %s, %s::jsonb)",
                (record.dataset, record.flow_run_id, record.started_at, _line(record)),
            )
    finally:
        conn.close()


def _pg_read(url: str) -> Iterator[RunRecord]:
    conn = _connect(url)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT record FROM dulieumo_runs ORDER BY id")
            rows = cur.fetchall()
    finally:
        conn.close()
    for (raw,) in rows:
        rec = _parse(raw)
        if rec is not None:
            yield rec


# ---------------------------------------------------------------- the file (one machine)


def _file_append(target: Path, record: RunRecord) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    line = _line(record) + "\n"
    with target.open("a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _file_read(source: Path) -> Iterator[RunRecord]:
    if not source.is_file():
        return
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                rec = _parse(line)
                if rec is not None:
                    yield rec


# ---------------------------------------------------------------- the API


def append(record: RunRecord, path: Path | None = None) -> None:
    """Add one record (to ``path`` when given, else to the configured store)."""
    url = "" if path else store_url()
    if url:
        _pg_append(url, record)
    else:
        _file_append(path or history_file(), record)


def read(path: Path | None = None) -> Iterator[RunRecord]:
    """Every record, oldest first; a torn or foreign line is skipped, not fatal."""
    url = "" if path else store_url()
    return _pg_read(url) if url else _file_read(path or history_file())


def append_once(
    record: RunRecord,
    before: Callable[[RunRecord], None] | None = None,
    path: Path | None = None,
) -> bool:
    """Add ``record`` unless the store already has one for its flow run and dataset.

    ``before`` (e.g. sending the notice) runs first, under the same exclusive lock as the
    check, so two recorders of one crash (the worker's hook and the server's automation)
    produce one notice and one record between them. True when this call added it."""
    url = "" if path else store_url()
    if url:
        return _pg_append_once(url, record, before)
    target = path or history_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".runs.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if _seen(_file_read(target), record):
                return False
            if before is not None:
                before(record)
            _file_append(target, record)
            return True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _seen(records: Iterator[RunRecord], record: RunRecord) -> bool:
    return any(r.flow_run_id == record.flow_run_id and r.dataset == record.dataset for r in records)


def _pg_append_once(
    url: str, record: RunRecord, before: Callable[[RunRecord], None] | None
) -> bool:
    conn = _connect(url)
    try:
        with conn, conn.cursor() as cur:  # one transaction: the lock lasts until its end
            cur.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                (f"{record.flow_run_id}/{record.dataset}",),
            )
            cur.execute(
                "SELECT 1 FROM dulieumo_runs WHERE flow_run_id = %s AND dataset = %s",
                (record.flow_run_id, record.dataset),
            )
            if cur.fetchone():
                return False
            if before is not None:
                before(record)
            cur.execute(
                "INSERT INTO dulieumo_runs (dataset, flow_run_id, started_at, record) "
                "VALUES (%s, %s, %s, %s::jsonb)",
                (record.dataset, record.flow_run_id, record.started_at, _line(record)),
            )
            return True
    finally:
        conn.close()


def latest_by_dataset(path: Path | None = None) -> dict[str, list[RunRecord]]:
    """Records grouped by dataset, oldest first within each."""
    out: dict[str, list[RunRecord]] = {}
    for rec in read(path):
        out.setdefault(rec.dataset, []).append(rec)
    return out
