"""Retries only for transient failures, with backoff; terminal failures fail at once."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests.support.catalog import copy_catalog, edit_spec, spec_file
from tests.support.cli import json_out, run
from tests.support.proxy import forward

DATASET = "co-so-luu-tru"


def _history(work: Path) -> list[dict]:
    path = work / "history" / "runs.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


# ------------------------------------------------------------------------ the source


class _Source(BaseHTTPRequestHandler):
    body = b""
    fail_first = 0
    fail_status = 503
    hits: ClassVar[list[float]] = []

    def do_GET(self) -> None:
        _Source.hits.append(time.monotonic())
        if len(_Source.hits) <= _Source.fail_first:
            self.send_error(_Source.fail_status)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def source(tmp_path) -> Iterator[tuple[Path, type[_Source]]]:
    import yaml

    root = copy_catalog(tmp_path / "catalog")
    spec = yaml.safe_load(spec_file(root, DATASET).read_text(encoding="utf-8"))
    _Source.body = (root / spec["source"]["path"]).read_bytes()
    _Source.hits, _Source.fail_first, _Source.fail_status = [], 0, 503
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Source)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/luu-tru.csv"
    edit_spec(
        root,
        DATASET,
        lambda d: d.__setitem__("source", {"type": "http", "url": url, "timeout_s": 5}),
    )
    yield root, _Source
    server.shutdown()


def test_transient_source_failure_is_retried_with_backoff_then_publishes(portal, source, tmp_path):
    root, src = source
    src.fail_first = 2  # 503 twice, then the file
    env = {"DULIEUMO_WORK_DIR": str(tmp_path / "work"), "DULIEUMO_RETRY_DELAYS": "1,2"}
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json_out(proc)["status"] in ("published", "unchanged")
    assert len(src.hits) == 3
    gaps = [b - a for a, b in zip(src.hits, src.hits[1:], strict=False)]
    assert gaps[0] >= 1.0 and gaps[1] >= 2.0, gaps  # the configured, growing delays
    rec = _history(tmp_path / "work")[-1]
    assert rec["status"] in ("published", "unchanged") and rec["reason"] is None


def test_transient_source_failure_that_persists_fails_after_the_retries(portal, source, tmp_path):
    root, src = source
    src.fail_first = 99
    env = {"DULIEUMO_WORK_DIR": str(tmp_path / "work")}
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 2
    assert json_out(proc)["error"]["transient"] is True
    assert len(src.hits) == 3  # 1 attempt + 2 retries (DULIEUMO_RETRY_DELAYS=0.2,0.2)
    rec = _history(tmp_path / "work")[-1]
    assert rec["status"] == "failed" and rec["transient"] is True
    assert "503" in rec["reason"]


def test_terminal_source_failure_fails_at_once(portal, source, tmp_path):
    root, src = source
    src.fail_first, src.fail_status = 99, 404
    env = {"DULIEUMO_WORK_DIR": str(tmp_path / "work")}
    start = time.monotonic()
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 2
    err = json_out(proc)["error"]
    assert err["transient"] is False and "404" in err["message"]
    assert len(src.hits) == 1  # no retry
    rec = _history(tmp_path / "work")[-1]
    assert rec["status"] == "failed" and rec["transient"] is False
    assert time.monotonic() - start < 120


# ------------------------------------------------------------------------ the portal


class _Portal(BaseHTTPRequestHandler):
    target = ""
    fail_first = 0
    fail_status = 503
    failed = 0
    actions: ClassVar[list[str]] = []

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if "/api/" in self.path and "/action/" in self.path:
            _Portal.actions.append(self.path.rsplit("/", 1)[-1].split("?")[0])
            if _Portal.failed < _Portal.fail_first:
                _Portal.failed += 1
                kind = "Authorization Error" if _Portal.fail_status == 403 else "Server Error"
                payload = json.dumps(
                    {"success": False, "error": {"__type": kind, "message": "injected"}}
                ).encode()
                self.send_response(_Portal.fail_status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                return
        forward(self, _Portal.target, body)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def flaky_portal(portal) -> Iterator[tuple[str, type[_Portal]]]:
    _Portal.target, _Portal.fail_first, _Portal.failed = portal.url, 0, 0
    _Portal.fail_status, _Portal.actions = 503, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Portal
    server.shutdown()


def test_transient_portal_failure_is_retried_then_succeeds(portal, flaky_portal, tmp_path):
    url, proxy = flaky_portal
    proxy.fail_first = 1  # the publish task's first call answers 503
    root = copy_catalog(tmp_path / "catalog")
    env = {
        "CKAN_URL": url,
        "CKAN_API_TOKEN": portal.token("publisher"),
        "DULIEUMO_WORK_DIR": str(tmp_path / "work"),
    }
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json_out(proc)["status"] in ("published", "unchanged")
    assert proxy.failed == 1
    first = proxy.actions[0]
    assert proxy.actions.count(first) >= 2  # the failed call was made again
    assert _history(tmp_path / "work")[-1]["status"] in ("published", "unchanged")


def test_terminal_portal_refusal_fails_at_once_with_one_attempt(portal, flaky_portal, tmp_path):
    url, proxy = flaky_portal
    proxy.fail_first, proxy.fail_status = 99, 403
    root = copy_catalog(tmp_path / "catalog")
    env = {
        "CKAN_URL": url,
        "CKAN_API_TOKEN": portal.token("publisher"),
        "DULIEUMO_WORK_DIR": str(tmp_path / "work"),
    }
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 2
    err = json_out(proc)["error"]
    assert err["transient"] is False and err["code"] == "portal-error"
    assert len(proxy.actions) == 1, proxy.actions  # refused once, never asked again
    rec = _history(tmp_path / "work")[-1]
    assert rec["status"] == "failed" and rec["error_code"] == "portal-error"
