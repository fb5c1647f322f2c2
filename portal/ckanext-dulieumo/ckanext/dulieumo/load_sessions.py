"""Statements of a bulk load run in several PostgreSQL sessions at once.

PostgreSQL runs one INSERT … SELECT on one CPU (it has no parallel INSERT), and builds one
index per session; a release table's rows (typed, with their full-text value) are filled by
several sessions (``ckanext.dulieumo.load_sessions``, default 2), each taking every n-th row
of the source, and its indexes are
built by two sessions. Each session commits its own transaction; a failure in any of them
is raised once all have ended, and the caller drops the half-built table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from threading import BrokenBarrierError
from typing import Any

import sqlalchemy as sa

#: sessions filling a table at once: more than the database server's CPUs do not help
DEFAULT_SESSIONS = 2
MAX_SESSIONS = 8

Statement = tuple[str, dict[str, Any]]


def settings(conn: Any) -> None:
    """A bulk load's session settings (the load runs as long as the file needs)."""
    conn.execute(sa.text("SET LOCAL statement_timeout = 0"))
    conn.execute(sa.text("SET LOCAL maintenance_work_mem = '256MB'"))


def run_jobs(
    engine: Any, jobs: list[Callable[[Any], int]], on_error: Callable[[], None] | None = None
) -> int:
    """Each job in its own session and transaction (it gets the connection), all at the
    same time; the sum of what they return. When one fails, ``on_error`` is called (to
    free the others if they wait for it) and its error is raised once all have ended."""
    if not jobs:
        return 0

    def run(job: Callable[[Any], int]) -> int:
        try:
            with engine.begin() as conn:
                settings(conn)
                return job(conn)
        except BaseException:
            if on_error is not None:
                on_error()
            raise

    if len(jobs) == 1:
        return run(jobs[0])
    with ThreadPoolExecutor(len(jobs), thread_name_prefix="dulieumo-load") as pool:
        futures = [pool.submit(run, job) for job in jobs]
    errors = [f.exception() for f in futures if f.exception() is not None]
    first = next((e for e in errors if not isinstance(e, BrokenBarrierError)), None)
    if first is not None or errors:
        raise first or errors[0]  # type: ignore[misc]
    return sum(f.result() for f in futures)


def run_each(engine: Any, batches: list[list[Statement]]) -> int:
    """Each non-empty batch of statements in its own session and transaction, all at the
    same time; the rows their statements wrote (INSERTs), in all."""

    def job(batch: list[Statement]) -> Callable[[Any], int]:
        def run(conn: Any) -> int:
            return sum(
                max(conn.execute(sa.text(sql), params).rowcount or 0, 0) for sql, params in batch
            )

        return run

    return run_jobs(engine, [job(b) for b in batches if b])


@contextmanager
def holding(engine: Any, tag: str) -> Iterator[Any]:
    """A session holding the advisory lock of one load (``tag``) while the load runs: a
    load of the same table waits for it, and a load's work tables are known to be stale
    when nobody holds their lock (the worker that made them was killed)."""
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(hashtext(:t))"), {"t": tag})
        holder.commit()
        try:
            yield holder
        finally:
            holder.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:t))"), {"t": tag})
            holder.commit()


def stale_tags(holder: Any, tags: set[str]) -> list[str]:
    """The tags among ``tags`` whose load no session holds (locked and released here)."""
    stale = []
    for tag in sorted(tags):
        free = holder.execute(sa.text("SELECT pg_try_advisory_lock(hashtext(:t))"), {"t": tag})
        if free.scalar_one():
            holder.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:t))"), {"t": tag})
            stale.append(tag)
    holder.commit()
    return stale
