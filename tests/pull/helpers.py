"""Helpers for the connector tests: a dataset spec over a schema in a temporary root, and a
small local HTTP server (127.0.0.1, a thread) whose routes the test defines."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from dulieumo.catalog import DatasetSpec
from tests.support.specs import dataset_spec

FIELDS = [
    {"name": "ma_co_so", "type": "string", "title": "Mã cơ sở"},
    {"name": "ten", "type": "string", "title": "Tên cơ sở"},
    {"name": "so_giuong", "type": "integer", "title": "Số giường"},
    {"name": "kinh_phi", "type": "number", "title": "Kinh phí (triệu đồng)"},
    {"name": "ngay_cap_phep", "type": "date", "title": "Ngày cấp phép"},
    {"name": "cong_lap", "type": "boolean", "title": "Công lập"},
]


def make_spec(
    root: Path,
    source: dict[str, Any],
    *,
    conventions: dict[str, Any] | None = None,
    fields: list[dict[str, Any]] | None = None,
    name: str = "co-so-y-te",
    primary_key: str | None = "ma_co_so",
) -> DatasetSpec:
    schema = {"fields": fields or FIELDS}
    if primary_key:
        schema["primaryKey"] = [primary_key]
    (root / "schemas").mkdir(parents=True, exist_ok=True)
    (root / "schemas" / f"{name}.json").write_text(
        json.dumps(schema, ensure_ascii=False), encoding="utf-8"
    )
    extra: dict[str, Any] = {} if conventions is None else {"conventions": conventions}
    spec = dataset_spec(
        name,
        schema=f"schemas/{name}.json",
        source=source,
        title={"vi": "Cơ sở y tế"},
        description={"vi": "Mô tả"},
        organization="so-y-te",
        maintainer={"name": "Phòng Nghiệp vụ Y", "email": "nvy.syt@quangninh.gov.vn"},
        frequency="monthly",
        **extra,
    )
    return spec.model_copy(update={"spec_path": Path(f"datasets/so-y-te/{name}.yaml")})


Route = Callable[["Request"], tuple[int, dict[str, str], bytes]]


@dataclass
class Request:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Server:
    url: str
    routes: dict[str, Route]
    seen: list[Request] = field(default_factory=list)

    def hits(self, path: str) -> list[Request]:
        return [r for r in self.seen if r.path == path]


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[Server]:
    """Serve ``routes`` (path → function of the request) on 127.0.0.1; stopped on exit."""
    state: dict[str, Server] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            req = Request(
                parts.path,
                {k: v[-1] for k, v in parse_qs(parts.query).items()},
                {k.lower(): v for k, v in self.headers.items()},
            )
            server = state["server"]
            server.seen.append(req)
            route = server.routes.get(parts.path)
            status, headers, body = route(req) if route else (404, {}, b"not found")
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["server"] = Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes)
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def json_body(value: Any, status: int = 200) -> tuple[int, dict[str, str], bytes]:
    return (
        status,
        {"Content-Type": "application/json"},
        json.dumps(value, ensure_ascii=False).encode("utf-8"),
    )


def read_csv(path: Path) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))
