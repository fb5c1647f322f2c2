"""The local "agency": serves the sample sources the way the province's agencies expose them.

Started by ``dulieumo demo`` and by the tests (fixture ``agency`` in tests/samples/conftest.py);
binds 127.0.0.1 only, port ``DULIEUMO_AGENCY_PORT`` (default 8765; 0 = any free port).

    GET /files/<path>                      a file under samples/, with ETag and Last-Modified;
                                           If-None-Match / If-Modified-Since answer 304
    GET /api/dkkd/doanh-nghiep             Sở KH&ĐT business registrations, JSON, paged:
        ?page=1&pageSize=100               page style   → {"data": [...], "meta": {...}}
        ?offset=0&limit=100                offset style → same shape
    GET /api/quan-trac/ket-qua?limit=1000  monitoring results, next-link paging:
                                           {"items": [...], "links": {"next": url | null}}
    GET /ckan/api/3/action/datastore_search?resource_id=…&limit=…&offset=…
    GET /ckan/api/3/action/resource_show?id=…
    GET /ckan/api/3/action/package_show?id=…
                                           "another portal" (the national or an agency's
                                           CKAN) holding the administrative-procedure table
                                           in its DataStore, as CKAN's Action API answers
    GET /healthz                           {"ok": true}

The SQL source (Sở KH&ĐT's public-investment database) is not served over HTTP: ``load_sql``
loads samples/so-ke-hoach-dau-tu/du-an-dau-tu-cong.sql into the PostgreSQL database of
``DULIEUMO_AGENCY_DB_URL`` (default: database dulieumo_agency on the DULIEUMO_PG_* server),
creating the database when absent, in one transaction (readers see the old or the new table).

    python -m samples.agency_server        # serve until Ctrl-C (and load the SQL sample)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import json
import mimetypes
import os
import threading
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from dulieumo.errors import SourceUnavailable, TerminalError
from dulieumo.settings import settings

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_URL = "postgresql://postgres@127.0.0.1:5432/dulieumo_agency"


def local_db_url() -> str:
    """The sample agency database on the PostgreSQL the local portal uses (DULIEUMO_PG_HOST,
    _PORT, _SUPERUSER, _SUPERUSER_PASSWORD), so a configured port is followed."""
    from urllib.parse import quote

    env = settings()
    user = quote(env.pg_superuser, safe="")
    password = env.pg_superuser_password
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host, port = env.pg_host, env.pg_port
    return f"postgresql://{auth}@{host}:{port}/dulieumo_agency"


ENTERPRISES = "samples/so-ke-hoach-dau-tu/doanh-nghiep-thanh-lap-moi.json"
MONITORING = "samples/so-tai-nguyen-moi-truong/quan-trac-moi-truong-tu-dong.json"
PROCEDURES = "samples/trung-tam-phuc-vu-hanh-chinh-cong/ho-so-thu-tuc-hanh-chinh.json"
PROJECTS_SQL = "samples/so-ke-hoach-dau-tu/du-an-dau-tu-cong.sql"

#: the harvested DataStore table on "the other portal"
CKAN_PACKAGE = "ho-so-thu-tuc-hanh-chinh-quang-ninh"
CKAN_RESOURCE = "5b0c3f0e-7d3a-4c55-9a51-2f1d2a6e0c22"
CKAN_FIELDS = [
    ("thang", "text"),
    ("ma_co_quan", "text"),
    ("linh_vuc", "text"),
    ("tiep_nhan", "int4"),
    ("truc_tuyen", "int4"),
    ("da_giai_quyet", "int4"),
    ("dung_han", "int4"),
    ("qua_han", "int4"),
    ("ty_le_hai_long", "numeric"),
]
MAX_PAGE = 10_000


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


class AgencyData:
    """The sample files, read once (the server answers many paged requests)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _json(self, rel: str) -> list[dict[str, Any]]:
        data: list[dict[str, Any]] = json.loads((self.root / rel).read_text(encoding="utf-8"))
        return data

    @cached_property
    def enterprises(self) -> list[dict[str, Any]]:
        return self._json(ENTERPRISES)

    @cached_property
    def monitoring(self) -> list[dict[str, Any]]:
        return self._json(MONITORING)

    @cached_property
    def procedures(self) -> list[dict[str, Any]]:
        return [{"_id": i, **r} for i, r in enumerate(self._json(PROCEDURES), start=1)]


class _Handler(BaseHTTPRequestHandler):
    server: AgencyHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests and the demo
        pass

    # ------------------------------------------------------------------ plumbing

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, value: Any, status: int = 200) -> None:
        self._send(
            status,
            json.dumps(value, ensure_ascii=False).encode("utf-8"),
            "application/json; charset=utf-8",
        )

    def _error(self, status: int, message: str) -> None:
        self._json({"error": message}, status)

    def _base(self) -> str:
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def _int(
        self,
        query: dict[str, list[str]],
        name: str,
        default: int,
        low: int = 0,
        high: int = MAX_PAGE,
    ) -> int:
        raw = query.get(name, [str(default)])[0]
        value = int(raw)  # ValueError → 400 in do_GET
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}")
        return value

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        try:
            if path == "/healthz":
                self._json({"ok": True, "service": "dulieumo sample agency"})
            elif path.startswith("/files/"):
                self._file(path.removeprefix("/files/"))
            elif path == "/api/dkkd/doanh-nghiep":
                self._enterprises(query)
            elif path == "/api/quan-trac/ket-qua":
                self._monitoring(query)
            elif path.startswith("/ckan/api/3/action/"):
                self._ckan(path.removeprefix("/ckan/api/3/action/"), query)
            else:
                self._error(404, f"no such endpoint: {path}")
        except ValueError as exc:
            self._error(400, str(exc))

    # ------------------------------------------------------------------ endpoints

    def _file(self, rel: str) -> None:
        base = (self.server.root / "samples").resolve()
        path = (base / rel).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            self._error(404, f"no such file: {rel}")
            return
        data = path.read_bytes()
        etag = etag_of(data)
        modified = dt.datetime.fromtimestamp(int(path.stat().st_mtime), dt.UTC)
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.format_datetime(modified, True),
            "Cache-Control": "no-cache",
        }
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        not_modified = inm is not None and etag in [t.strip() for t in inm.split(",")]
        if inm is None and ims:
            try:
                not_modified = modified <= email.utils.parsedate_to_datetime(ims)
            except (TypeError, ValueError):
                pass
        self.server.hits[rel] = self.server.hits.get(rel, 0) + 1
        self.server.answers.append((rel, 304 if not_modified else 200))
        if not_modified:
            self.send_response(304)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".csv":
            kind = "text/csv"
        self._send(200, data, kind, headers)

    def _enterprises(self, query: dict[str, list[str]]) -> None:
        rows = self.server.data.enterprises
        if "offset" in query:
            offset = self._int(query, "offset", 0, 0, 10**9)
            size = self._int(query, "limit", 100, 1)
            page = offset // size + 1
        else:
            page = self._int(query, "page", 1, 1, 10**9)
            size = self._int(query, "pageSize", 100, 1)
            offset = (page - 1) * size
        self._json(
            {
                "data": rows[offset : offset + size],
                "meta": {"page": page, "pageSize": size, "offset": offset, "total": len(rows)},
            }
        )

    def _monitoring(self, query: dict[str, list[str]]) -> None:
        rows = self.server.data.monitoring
        size = self._int(query, "limit", 1000, 1)
        cursor = self._int(query, "cursor", 0, 0, 10**9)
        end = cursor + size
        nxt = (
            f"{self._base()}/api/quan-trac/ket-qua?{urlencode({'limit': size, 'cursor': end})}"
            if end < len(rows)
            else None
        )
        self._json(
            {
                "items": rows[cursor:end],
                "links": {"self": self.path, "next": nxt},
                "count": len(rows),
            }
        )

    def _ckan(self, action: str, query: dict[str, list[str]]) -> None:
        def fail(status: int, kind: str, message: str) -> None:
            self._json({"success": False, "error": {"__type": kind, "message": message}}, status)

        rid = (query.get("resource_id") or query.get("id") or [""])[0]
        if action == "datastore_search":
            if rid != CKAN_RESOURCE:
                fail(404, "Not Found Error", f'Resource "{rid}" was not found.')
                return
            rows = self.server.data.procedures
            limit = self._int(query, "limit", 100, 0, 32_000)
            offset = self._int(query, "offset", 0, 0, 10**9)
            link = "/ckan/api/3/action/datastore_search?" + urlencode(
                {"resource_id": rid, "limit": limit, "offset": offset + limit}
            )
            self._json(
                {
                    "success": True,
                    "result": {
                        "resource_id": rid,
                        "include_total": True,
                        "total": len(rows),
                        "limit": limit,
                        "offset": offset,
                        "records_format": "objects",
                        "fields": [{"id": "_id", "type": "int"}]
                        + [{"id": n, "type": t} for n, t in CKAN_FIELDS],
                        "records": rows[offset : offset + limit],
                        "_links": {
                            "start": "/ckan/api/3/action/datastore_search?"
                            + urlencode({"resource_id": rid, "limit": limit}),
                            "next": link,
                        },
                    },
                }
            )
        elif action == "resource_show":
            if rid != CKAN_RESOURCE:
                fail(404, "Not Found Error", "Not found")
                return
            self._json({"success": True, "result": self._resource()})
        elif action == "package_show":
            if rid != CKAN_PACKAGE:
                fail(404, "Not Found Error", "Not found")
                return
            self._json(
                {
                    "success": True,
                    "result": {
                        "name": CKAN_PACKAGE,
                        "title": "Tình hình giải quyết hồ sơ TTHC",
                        "organization": {"name": "trung-tam-phuc-vu-hanh-chinh-cong"},
                        "resources": [self._resource()],
                    },
                }
            )
        else:
            fail(400, "Validation Error", f"unknown action {action!r}")

    def _resource(self) -> dict[str, Any]:
        return {
            "id": CKAN_RESOURCE,
            "package_id": CKAN_PACKAGE,
            "name": "Số liệu theo tháng",
            "format": "JSON",
            "datastore_active": True,
            "url": f"{self._base()}/files/{PROCEDURES.removeprefix('samples/')}",
        }


class AgencyHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.data = AgencyData(root)
        self.hits: dict[str, int] = {}  # file → requests (tests check conditional GETs)
        self.answers: list[tuple[str, int]] = []  # (file, status) in order
        super().__init__(("127.0.0.1", port), _Handler)


class AgencyServer:
    """The sample agency in a background thread: ``with AgencyServer() as agency: ...``.

    ``start`` also loads the SQL sample (``load_sql``) unless ``sql=False``, and sets
    ``DULIEUMO_AGENCY_URL`` for this process when it is not set, so the specs' URLs
    ``${DULIEUMO_AGENCY_URL:-http://127.0.0.1:8765}/...`` point at it.
    """

    def __init__(
        self,
        root: Path = ROOT,
        port: int | None = None,
        *,
        sql: bool = True,
        db_url: str | None = None,
    ) -> None:
        self.root = Path(root)
        self.port = settings().agency_port if port is None else port
        self.sql = sql
        self.db_url = db_url or settings().agency_db_url or local_db_url()
        self._server: AgencyHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._set_env = False
        self._set_db_env = False

    @property
    def url(self) -> str:
        assert self._server is not None, "the agency server is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def hits(self) -> dict[str, int]:
        assert self._server is not None
        return self._server.hits

    @property
    def answers(self) -> list[tuple[str, int]]:
        assert self._server is not None
        return self._server.answers

    def start(self) -> AgencyServer:
        if self.sql:
            load_sql(self.root, self.db_url)
        try:
            self._server = AgencyHTTPServer(self.root, self.port)
        except OSError as exc:
            raise TerminalError(
                f"The sample agency server cannot listen on 127.0.0.1:{self.port} ({exc}).",
                hint="Another program uses the port: set DULIEUMO_AGENCY_PORT to a free port "
                "(or 0 for any) and run again.",
            ) from None
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="dulieumo-agency", daemon=True
        )
        self._thread.start()
        if "DULIEUMO_AGENCY_URL" not in os.environ:
            os.environ["DULIEUMO_AGENCY_URL"] = self.url
            self._set_env = True
        if "DULIEUMO_AGENCY_DB_URL" not in os.environ:  # the SQL spec reads it
            os.environ["DULIEUMO_AGENCY_DB_URL"] = self.db_url
            self._set_db_env = True
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._set_env:
            os.environ.pop("DULIEUMO_AGENCY_URL", None)
            self._set_env = False
        if self._set_db_env:
            os.environ.pop("DULIEUMO_AGENCY_DB_URL", None)
            self._set_db_env = False

    def __enter__(self) -> AgencyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def load_sql(root: Path = ROOT, db_url: str = DEFAULT_DB_URL) -> int:
    """Create the agency database when absent and (re)load the public-investment table in one
    transaction; returns the number of rows. SourceUnavailable when PostgreSQL is down."""
    import psycopg2
    from psycopg2 import sql as pgsql
    from sqlalchemy.engine import make_url

    url = make_url(db_url)
    params: dict[str, Any] = {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
    }
    if url.password:
        params["password"] = url.password
    dbname = url.database or "dulieumo_agency"
    script = (root / PROJECTS_SQL).read_text(encoding="utf-8")
    try:
        admin = psycopg2.connect(dbname="postgres", connect_timeout=10, **params)
    except psycopg2.OperationalError as exc:
        raise SourceUnavailable(
            f"The sample agency database cannot be reached at {params['host']}:"
            f"{params['port']} ({str(exc).strip().splitlines()[0]}).",
            hint="Start PostgreSQL (make install does), or set DULIEUMO_AGENCY_DB_URL.",
        ) from None
    try:
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,))
            if cur.fetchone() is None:
                try:
                    cur.execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(dbname)))
                except psycopg2.errors.DuplicateDatabase:
                    pass  # created meanwhile by another run
    finally:
        admin.close()
    conn = psycopg2.connect(dbname=dbname, connect_timeout=10, **params)
    try:
        with conn, conn.cursor() as cur:  # one transaction
            cur.execute("SELECT pg_advisory_xact_lock(22022)")
            cur.execute(script)
            cur.execute("SELECT count(*) FROM du_an_dau_tu_cong")
            row = cur.fetchone()
    finally:
        conn.close()
    return int(row[0]) if row else 0


def main() -> None:
    with AgencyServer() as agency:
        print(f"Sample agency at {agency.url} (Ctrl-C to stop); SQL sample in {agency.db_url}")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
