"""Issue 17 point 5: commands use `dulieumo serve`'s Prefect server instead of a new one.

A stand-in server (a stdlib HTTP server answering /health) plays the advertised Prefect
server; the advertisement is reused only while its process lives and the server answers, and
never over a configured PREFECT_API_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from flows import local_server


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path.endswith("/health") else 404)
        self.end_headers()
        self.wfile.write(b"true")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_url() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path))
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    return tmp_path


def advertise(home, url: str, pid: int) -> None:
    (home / local_server.FILE_NAME).write_text(json.dumps({"url": url, "pid": pid}))


def test_a_live_advertised_server_is_reused(home, health_url):
    advertise(home, health_url, os.getpid())
    assert local_server.reuse_running_server() == health_url
    assert os.environ["PREFECT_API_URL"] == health_url


def test_a_configured_api_wins(home, health_url, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.org/api")
    advertise(home, health_url, os.getpid())
    assert local_server.reuse_running_server() is None
    assert os.environ["PREFECT_API_URL"] == "http://prefect.example.org/api"


def test_a_dead_serve_process_or_a_silent_server_is_not_reused(home, health_url):
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    advertise(home, health_url, int(gone.stdout))  # that process has exited
    assert local_server.reuse_running_server() is None
    advertise(home, "http://127.0.0.1:9/api", os.getpid())  # nothing listens there
    assert local_server.reuse_running_server() is None
    assert "PREFECT_API_URL" not in os.environ


def test_no_advertisement_or_a_broken_one_leaves_the_default(home):
    assert local_server.reuse_running_server() is None
    (home / local_server.FILE_NAME).write_text("{not json")
    assert local_server.reuse_running_server() is None
    advertise(home, "http://evil.example.org/api", os.getpid())  # only loopback servers
    assert local_server.reuse_running_server() is None
    assert "PREFECT_API_URL" not in os.environ


def test_serve_advertises_nothing_with_a_configured_api(home, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.org/api")
    with local_server.serving() as url:
        assert url is None
        assert not (home / local_server.FILE_NAME).exists()
