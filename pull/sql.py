"""Connector for `source.type: sql` — a query on the agency's database (SQLAlchemy).

``url`` is a SQLAlchemy URL (``postgresql://user:${DB_PASSWORD}@host/db``; plain
``postgresql://`` uses psycopg2), ``query`` one SELECT. Rows are streamed with a server-side
cursor, in the query's column order; the column names go through ``conventions.columns``
like a CSV header. The raw sha256 is of the rows as JSON lines (a database has no file).

A query the database refuses (syntax, unknown table or column, permission) is terminal and
quotes the database's own message; a database that cannot be reached is transient. The
password never appears: URLs are shown with ``***``, and the password is masked in any
message the driver returns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dulieumo.errors import SourceError, SourceUnavailable
from dulieumo.redact import mask_text

from .env import expand
from .table import PullContext, Records, started

if TYPE_CHECKING:
    from dulieumo.catalog import SqlSource

BATCH = 5_000
#: connection failures a retry will not mend
REFUSED = (
    "does not exist",
    "password authentication failed",
    "no pg_hba.conf entry",
    "permission denied",
    "authentication failed",
)


def safe_db_url(url: str) -> str:
    """The URL with its password masked (dulieumo.redact: the one masking of the product)."""
    return mask_text(url)


def _driver_message(exc: Exception, secret: str | None) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    if secret:
        text = text.replace(secret, "***")
    return text[:500]


def fetch_sql(source: SqlSource, ctx: PullContext) -> Records:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

    raw_url = expand(source.url, spec_file=ctx.spec_file, field="source.url")
    try:
        url = make_url(raw_url)
    except (ArgumentError, ValueError):
        raise SourceError(
            f"{ctx.label}: `source.url` is not a SQLAlchemy database URL.",
            hint="Write it like postgresql://user:${DB_PASSWORD}@host:5432/db.",
        ) from None
    secret = url.password if isinstance(url.password, str) and url.password else None
    shown = url.render_as_string(hide_password=True)
    if url.drivername == "postgresql":  # SQLAlchemy 2.1 would pick psycopg 3, not installed
        url = url.set(drivername="postgresql+psycopg2")
    label = ctx.label
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args = {
            "connect_timeout": 15,
            "options": f"-c statement_timeout={int(source.timeout_s * 1000)}",
        }
    try:
        engine = create_engine(url, connect_args=connect_args, pool_pre_ping=False)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise SourceError(
            f"{label}: no database driver for {shown} ({_driver_message(exc, secret)}).",
            hint="Use postgresql:// (psycopg2 is installed).",
        ) from None
    records = Records(shown, iter(()))

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        number = 0
        try:
            with engine.connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    text(source.query)
                )
                if not result.returns_rows:
                    raise SourceError(
                        f"{label}: the query returns no rows (not a SELECT?).",
                        hint="Write one SELECT in `source.query`.",
                    )
                columns = list(result.keys())
                records.columns = columns
                for row in result:
                    number += 1
                    record = dict(zip(columns, row, strict=True))
                    records.feed_json(record)
                    yield f"row {number} of the query", record
        except SourceError:
            raise
        except DBAPIError as exc:
            message = _driver_message(exc, secret)
            if "FATAL" in message and any(m in message for m in REFUSED):
                raise SourceError(
                    f"{label}: the database {shown} refused the connection: {message}",
                    hint="Check the database name, user and password in `source.url` (the "
                    "password from the environment variable it names).",
                ) from None
            if exc.connection_invalidated or _is_connection_error(exc):
                raise SourceUnavailable(
                    f"{label}: cannot reach the database {shown}: {message}",
                    hint="Check that the database server is up and reachable; the run is retried.",
                ) from None
            raise SourceError(
                f"{label}: the database refused the query: {message}",
                hint="Fix `source.query` in the dataset spec (try it in psql first); nothing "
                "was published.",
            ) from None
        except SQLAlchemyError as exc:
            raise SourceError(
                f"{label}: the query failed: {_driver_message(exc, secret)}",
                hint="Fix `source.query` in the dataset spec.",
            ) from None
        finally:
            engine.dispose()

    records.rows = started(rows())  # the first page/query gives the columns
    return records


def _is_connection_error(exc: Exception) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    pgcode = getattr(getattr(exc, "orig", None), "pgcode", None)
    if pgcode:  # a server-side error code: 57014 = statement timeout (transient)
        return str(pgcode).startswith(("08", "57"))
    return True  # no code: the connection itself failed
