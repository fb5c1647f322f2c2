"""pull_source with a local file and with a real HTTP server on 127.0.0.1 (in a thread)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import DatasetSpec
from dulieumo.errors import SourceError, SourceUnavailable
from pull import PulledTable, pull_source, safe_url
from samples.generate import windows_1258
from tests.support.specs import dataset_spec

TEXT = (
    "ma_truong,ten,cap_hoc\n22000001,Trường THCS Trọng Điểm,THCS\n"
    "22000002,Trường Mầm non Hồng Gai,MN\n"
)
WIN = windows_1258(TEXT.replace("\n", "\r\n"))
BOM = b"\xef\xbb\xbf" + TEXT.encode("utf-8")


def make_spec(source: dict[str, Any], name: str = "co-so-giao-duc") -> DatasetSpec:
    return dataset_spec(
        name,
        schema="schemas/x.json",
        source=source,
        organization="so-giao-duc-dao-tao",
        frequency="yearly",
    )


# ------------------------------------------------------------------------- local file


def test_file_source(tmp_path: Path) -> None:
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "x.csv").write_bytes(WIN)
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    table = pull_source(
        make_spec({"type": "file", "path": "samples/x.csv"}),
        root=tmp_path,
        workdir=tmp_path / "run",
    )
    assert isinstance(table, PulledTable)
    assert table.path == tmp_path / "run" / "co-so-giao-duc.csv"
    assert table.path.read_bytes() == TEXT.encode("utf-8")
    assert table.encoding == "windows-1258"
    assert table.source_uri == "samples/x.csv"
    assert table.raw_sha256 == hashlib.sha256(WIN).hexdigest()
    assert table.sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()
    assert table.size == len(TEXT.encode("utf-8"))
    fetched = dt.datetime.fromisoformat(table.fetched_at)
    assert fetched.tzinfo is not None and fetched >= before
    assert (tmp_path / "samples" / "x.csv").read_bytes() == WIN, "the source is untouched"


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    spec = make_spec({"type": "file", "path": "samples/khong-co.csv"})
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert "Dataset 'co-so-giao-duc', source samples/khong-co.csv: source file not found" in msg
    assert "source.path" in msg  # the hint says which key to fix


def test_folder_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "samples").mkdir()
    with pytest.raises(SourceError, match="is a folder, not a file"):
        pull_source(
            make_spec({"type": "file", "path": "samples"}), root=tmp_path, workdir=tmp_path / "run"
        )


def test_declared_encoding_mismatch_through_pull_source(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_bytes(WIN)
    spec = make_spec({"type": "file", "path": "x.csv", "encoding": "utf-8"})
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    offset = next(i for i, b in enumerate(WIN) if b >= 0x80)
    assert f"source x.csv: line 2, byte offset {offset}:" in msg
    assert "`encoding: windows-1258`" in msg
    assert not (tmp_path / "run" / "co-so-giao-duc.csv").exists()


# ------------------------------------------------------------------------------ HTTP

SEEN_AUTH: list[str | None] = []


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        SEEN_AUTH.append(self.headers.get("Authorization"))
        if route == "/slow.csv":
            time.sleep(2)
        if route == "/truncated.csv":  # promises more bytes than it sends
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(WIN[:20])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if route == "/moved.csv":
            self.send_response(302)
            self.send_header("Location", "/win.csv")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body = {
            "/win.csv": (200, WIN),
            "/bom.csv": (200, BOM),
            "/slow.csv": (200, BOM),
            "/404.csv": (404, b"not found"),
            "/403.csv": (403, b"forbidden"),
            "/401.csv": (401, b"who are you"),
            "/500.csv": (500, b"oops"),
            "/503.csv": (503, b"busy"),
            "/429.csv": (429, b"slow down"),
        }.get(route, (404, b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _http(url: str, **extra: Any) -> DatasetSpec:
    return make_spec({"type": "http", "url": url, "timeout_s": 0.5, **extra})


def test_http_200_windows_1258(base: str, tmp_path: Path) -> None:
    table = pull_source(_http(f"{base}/win.csv"), root=tmp_path, workdir=tmp_path / "run")
    assert table.path.read_bytes() == TEXT.encode("utf-8")
    assert table.encoding == "windows-1258"
    assert table.raw_sha256 == hashlib.sha256(WIN).hexdigest()
    assert table.sha256 == hashlib.sha256(table.path.read_bytes()).hexdigest()
    assert table.source_uri == f"{base}/win.csv"
    assert (tmp_path / "run" / "source.raw").read_bytes() == WIN  # raw bytes kept


def test_http_200_bom_and_redirect(base: str, tmp_path: Path) -> None:
    table = pull_source(_http(f"{base}/bom.csv"), root=tmp_path, workdir=tmp_path / "a")
    assert table.encoding == "utf-8-sig"
    assert table.raw_sha256 == hashlib.sha256(BOM).hexdigest()
    moved = pull_source(_http(f"{base}/moved.csv"), root=tmp_path, workdir=tmp_path / "b")
    assert moved.raw_sha256 == hashlib.sha256(WIN).hexdigest()


@pytest.mark.parametrize(
    ("route", "error", "fragment"),
    [
        ("/404.csv", SourceError, "HTTP 404"),
        ("/403.csv", SourceError, "HTTP 403"),
        ("/401.csv", SourceError, "HTTP 401"),
        ("/500.csv", SourceUnavailable, "HTTP 500"),
        ("/503.csv", SourceUnavailable, "HTTP 503"),
        ("/429.csv", SourceUnavailable, "HTTP 429"),
        ("/slow.csv", SourceUnavailable, "timeout"),
        ("/truncated.csv", SourceUnavailable, "connection failed"),
    ],
)
def test_http_failures(
    base: str, tmp_path: Path, route: str, error: type[Exception], fragment: str
) -> None:
    url = base.replace("http://", "http://officer:s3cr3t@") + route + "?token=abc123&nam=2025"
    with pytest.raises(error) as info:
        pull_source(_http(url), root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert fragment in msg
    assert "Dataset 'co-so-giao-duc'" in msg
    assert "s3cr3t" not in msg and "abc123" not in msg
    if error is SourceError:
        assert not isinstance(info.value, SourceUnavailable)
    assert not (tmp_path / "run" / "source.raw").exists()
    assert not (tmp_path / "run" / "source.raw.part").exists()


def test_connection_refused_is_transient(tmp_path: Path) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    with pytest.raises(SourceUnavailable, match="connection failed"):
        pull_source(
            _http(f"http://127.0.0.1:{port}/x.csv"), root=tmp_path, workdir=tmp_path / "run"
        )


def test_credentials_are_sent_but_never_shown(
    base: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    SEEN_AUTH.clear()
    url = base.replace("http://", "http://officer:s3cr3t@") + "/win.csv?api_key=abc123&nam=2025"
    table = pull_source(_http(url), root=tmp_path, workdir=tmp_path / "run")
    expected = "Basic " + base64.b64encode(b"officer:s3cr3t").decode()
    assert [expected] == SEEN_AUTH
    assert table.source_uri == f"{base}/win.csv?api_key=***&nam=2025"
    assert "s3cr3t" not in caplog.text and "abc123" not in caplog.text
    assert "/win.csv" in caplog.text  # httpx did log the request, redacted


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://u:p@api.quangninh.gov.vn/a.csv", "https://api.quangninh.gov.vn/a.csv"),
        (
            "https://api.quangninh.gov.vn:8443/a.csv?Token=x&q=1#f",
            "https://api.quangninh.gov.vn:8443/a.csv?Token=***&q=1",
        ),
        ("http://[::1]:8080/a.csv?password=x", "http://[::1]:8080/a.csv?password=***"),
    ],
)
def test_safe_url(url: str, shown: str) -> None:
    assert safe_url(url) == shown
