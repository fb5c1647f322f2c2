"""Pull: encodings, NFC, provenance hashes, and source failures."""

from __future__ import annotations

import hashlib
import threading
import time
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dulieumo.catalog import load_catalog
from dulieumo.errors import SourceError, SourceUnavailable
from pull import pull_source
from tests.support.catalog import copy_catalog, edit_spec

TEXT = "ma,ten\n1,Bệnh viện Đa khoa tỉnh Quảng Ninh\n2,Trường THCS Trọng Điểm\n"


def _cp1258(text: str) -> bytes:
    from samples.generate import windows_1258

    return windows_1258(text)


@pytest.fixture
def root(tmp_path):
    return copy_catalog(tmp_path)


def _spec(root, **source):
    def change(d):
        d["source"] = {"type": "file", "path": "samples/x.csv", **source}

    edit_spec(root, "co-so-luu-tru", change)
    return load_catalog(root).get("co-so-luu-tru")


@pytest.mark.parametrize(
    ("raw", "encoding", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8", "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "auto", "utf-8-sig"),
        (TEXT.replace("\n", "\r\n").encode("utf-8"), "auto", "utf-8"),
        ("cp1258", "auto", "windows-1258"),
        ("cp1258", "windows-1258", "windows-1258"),
        (unicodedata.normalize("NFD", TEXT).encode("utf-8"), "auto", "utf-8"),
    ],
)
def test_encodings_are_detected_and_text_is_nfc(root, tmp_path, raw, encoding, expected):
    data = _cp1258(TEXT) if raw == "cp1258" else raw
    (root / "samples" / "x.csv").write_bytes(data)
    table = pull_source(_spec(root, encoding=encoding), root=root, workdir=tmp_path / "w")
    out = table.path.read_bytes()
    assert out == TEXT.encode("utf-8")
    assert table.encoding == expected
    assert table.raw_sha256 == hashlib.sha256(data).hexdigest()
    assert table.sha256 == hashlib.sha256(out).hexdigest() and table.size == len(out)


def test_declared_utf8_but_windows_1258_names_line_and_byte(root, tmp_path):
    (root / "samples" / "x.csv").write_bytes(_cp1258(TEXT))
    with pytest.raises(SourceError) as err:
        pull_source(_spec(root, encoding="utf-8"), root=root, workdir=tmp_path)
    msg = str(err.value)
    assert "line 2, byte" in msg and "not valid utf-8" in msg
    assert "encoding: windows-1258" in msg


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04\x00\x00binary", "contains NUL bytes"),
    ],
)
def test_empty_and_binary_files(root, tmp_path, data, needle):
    (root / "samples" / "x.csv").write_bytes(data)
    with pytest.raises(SourceError, match=needle):
        pull_source(_spec(root), root=root, workdir=tmp_path)


def test_missing_file(root, tmp_path):
    with pytest.raises(SourceError, match=r"samples/x\.csv: source file not found"):
        pull_source(_spec(root), root=root, workdir=tmp_path)


class _Server(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        code = int(self.path.strip("/").split("/")[0] or 200)
        if code == 999:
            time.sleep(2)
            code = 200
        body = TEXT.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a: object) -> None:
        return None


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://user:secret@127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _http(root, url):
    def change(d):
        d["source"] = {"type": "http", "url": url, "timeout_s": 0.5}

    edit_spec(root, "co-so-luu-tru", change)
    return load_catalog(root).get("co-so-luu-tru")


def test_http_source(root, tmp_path, server):
    table = pull_source(_http(root, server + "/200/x.csv"), root=root, workdir=tmp_path)
    assert table.path.read_text(encoding="utf-8") == TEXT
    assert "secret" not in table.source_uri


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ("/404/x.csv", SourceError),
        ("/403/x.csv", SourceError),
        ("/500/x.csv", SourceUnavailable),
        ("/503/x.csv", SourceUnavailable),
        ("/999/x.csv", SourceUnavailable),
    ],
)
def test_http_failures_are_terminal_or_transient(root, tmp_path, server, path, error):
    with pytest.raises(error) as err:
        pull_source(_http(root, server + path), root=root, workdir=tmp_path)
    assert "secret" not in str(err.value)
    assert "co-so-luu-tru" in str(err.value)
