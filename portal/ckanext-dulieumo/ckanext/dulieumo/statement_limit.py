"""A time limit on the SQL of one search, enforced by PostgreSQL itself.

Every statement of a search runs with ``statement_timeout`` set to what is left of the
search's budget, inside a savepoint: when the limit passes, PostgreSQL cancels the statement
on the server (nothing keeps running after the worker gives up), the savepoint is rolled
back so the request's transaction stays usable (a page that shows the error still renders),
and the caller gets a QueryError saying so. On success the previous ``statement_timeout``
is restored, so later statements of the same transaction are not limited.

Needs only SQLAlchemy and a PostgreSQL session (no CKAN import).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from .query import QueryError

#: PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout (query_canceled)
QUERY_CANCELED = "57014"
_SET_TIMEOUT = sa.text("SELECT set_config('statement_timeout', :value, true)")


class SearchTimeout(QueryError):
    """The search used up its time limit; PostgreSQL cancelled it."""


def timeout_message(timeout_ms: int) -> str:
    seconds = f"{timeout_ms / 1000:g}"
    return (
        f"The search took longer than this portal's limit of {seconds} s and was stopped. "
        "Narrow it (fewer terms, a filter by organisation or tag) and try again."
    )


class Deadline:
    """Runs statements with what is left of one search's time limit."""

    def __init__(self, session: Any, timeout_ms: int) -> None:
        self.session = session
        self.timeout_ms = timeout_ms
        self.ends = time.monotonic() + timeout_ms / 1000

    def remaining_ms(self) -> int:
        return int((self.ends - time.monotonic()) * 1000)

    def execute(self, statement: str, params: dict[str, Any]) -> Any:
        """Execute one statement (SQL text, bound parameters) within the time left."""
        remaining = self.remaining_ms()
        if remaining <= 0:
            raise SearchTimeout(timeout_message(self.timeout_ms))
        self.session.execute(_SET_TIMEOUT, {"value": str(remaining)})
        return self.session.execute(sa.text(statement), params)


@contextmanager
def time_limited(session: Any, timeout_ms: int) -> Iterator[Deadline]:
    """A Deadline for the statements of one search, inside a savepoint of `session`."""
    previous = session.execute(sa.text("SELECT current_setting('statement_timeout')")).scalar()
    savepoint = session.begin_nested()
    try:
        yield Deadline(session, timeout_ms)
    except sa.exc.DBAPIError as exc:
        savepoint.rollback()
        if getattr(exc.orig, "pgcode", None) == QUERY_CANCELED:
            raise SearchTimeout(timeout_message(timeout_ms)) from None
        raise
    except BaseException:
        savepoint.rollback()
        raise
    else:
        savepoint.commit()
        session.execute(_SET_TIMEOUT, {"value": str(previous)})
