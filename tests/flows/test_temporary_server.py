"""Issue 17 point 5: Prefect's temporary server started before Prefect is imported.

Only where Prefect would start one itself (no API in the environment or the active profile,
ephemeral mode on, no other Prefect settings file): then a flow runs against it, Prefect's
own server module is never imported into the command's process, and the server is stopped
at exit. Anything else leaves the decision to Prefect.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from flows import temporary_server

PREFECT_VARS = (
    "PREFECT_API_URL",
    "PREFECT_PROFILE",
    "PREFECT_PROFILES_PATH",
    "PREFECT_SERVER_EPHEMERAL_ENABLED",
    "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE",
    "PREFECT_TEST_MODE",
    "PREFECT_UNIT_TEST_MODE",
    "PREFECT_TESTING_UNIT_TEST_MODE",
    "PREFECT_TESTING_TEST_MODE",
)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    for name in PREFECT_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "prefect"))
    (tmp_path / "prefect").mkdir()
    monkeypatch.chdir(tmp_path)  # no .env, prefect.toml or pyproject.toml here
    return tmp_path / "prefect"


def profiles(home: Path, text: str) -> None:
    (home / "profiles.toml").write_text(text, encoding="utf-8")


def test_no_configuration_at_all_is_prefects_temporary_server(home):
    assert temporary_server.prefect_would_start_one()


def test_an_api_in_the_environment_or_the_active_profile_wins(home, monkeypatch):
    profiles(home, 'active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://h:4200/api"\n')
    assert not temporary_server.prefect_would_start_one()
    profiles(
        home,
        'active = "ephemeral"\n[profiles.ephemeral]\nPREFECT_SERVER_EPHEMERAL_ENABLED = "true"\n',
    )
    assert temporary_server.prefect_would_start_one()
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.example.org/api")
    assert not temporary_server.prefect_would_start_one()


def test_ephemeral_mode_off_or_unsaid_leaves_it_to_prefect(home, monkeypatch):
    # an active profile of the user's that does not switch ephemeral mode on: Prefect's
    # default is off, so Prefect would refuse to run rather than start a server
    profiles(home, 'active = "mine"\n[profiles.mine]\nPREFECT_LOGGING_LEVEL = "DEBUG"\n')
    assert not temporary_server.prefect_would_start_one()
    monkeypatch.setenv("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    assert temporary_server.prefect_would_start_one()
    monkeypatch.setenv("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")
    assert not temporary_server.prefect_would_start_one()


def test_a_profile_named_but_absent_is_prefects_default(home, monkeypatch):
    profiles(home, 'active = "gone"\n[profiles.other]\nPREFECT_API_URL = "http://h/api"\n')
    assert temporary_server.prefect_would_start_one()
    monkeypatch.setenv("PREFECT_PROFILE", "other")
    assert not temporary_server.prefect_would_start_one()


@pytest.mark.parametrize(
    "name, text",
    [
        ("prefect.toml", "[api]\nurl = 'http://h/api'\n"),
        (".env", "PREFECT_API_URL=http://h/api\n"),
        ("pyproject.toml", "[tool.prefect]\napi.url = 'http://h/api'\n"),
    ],
)
def test_other_settings_files_leave_it_to_prefect(home, name, text):
    (home.parent / name).write_text(text, encoding="utf-8")
    assert not temporary_server.prefect_would_start_one()


def test_a_broken_profiles_file_leaves_it_to_prefect(home):
    profiles(home, "active = [")
    assert not temporary_server.prefect_would_start_one()


def test_too_late_once_prefect_read_its_settings(home):
    import prefect.context  # noqa: F401  (Prefect reads its settings here)

    assert temporary_server.start_early() is None


def test_the_port_is_held_until_the_server_listens():
    port, held = temporary_server._reserved_port()
    try:
        assert port in temporary_server.PORT_RANGE
        with socket.socket() as other, pytest.raises(OSError):
            other.bind(("127.0.0.1", port))  # Prefect's check in another process: taken
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))  # uvicorn's bind: allowed
            server.listen()
    finally:
        held.close()


RUN = """
import json, sys
from flows.temporary_server import start_early

server = start_early()
from prefect import flow

@flow
def hello(x: int) -> int:
    return x + 1

server.ready()
print(json.dumps({
    "url": server.api_url,
    "result": hello(41),
    "prefect_server_module": "prefect.server.api.server" in sys.modules,
}))
"""


@pytest.mark.slow
def test_a_flow_runs_on_the_early_server_which_stops_at_exit(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in PREFECT_VARS}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PYTHONPATH=str(Path.cwd()))
    proc = subprocess.run(
        [sys.executable, "-c", RUN],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["result"] == 42
    assert out["prefect_server_module"] is False  # the client never imported the server
    assert "Starting temporary server on" in proc.stderr
    assert "Stopping temporary server on" in proc.stderr
    assert "View at" not in proc.stderr  # no UI behind it, as with Prefect's own
    port = int(out["url"].rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(ConnectionRefusedError):  # the server is gone
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def _booting_server(monkeypatch, answers_after: int) -> temporary_server.TemporaryServer:
    """A TemporaryServer whose process lives and whose health check fails `answers_after`
    times before it answers."""
    server = temporary_server.TemporaryServer()
    server.process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    calls = {"n": 0}

    def healthy() -> bool:
        calls["n"] += 1
        return calls["n"] > answers_after

    monkeypatch.setattr(server, "_healthy", healthy)
    return server


def test_work_meanwhile_runs_while_the_server_boots_and_is_not_waited_for(monkeypatch):
    import threading

    server = _booting_server(monkeypatch, answers_after=3)
    started, release = threading.Event(), threading.Event()

    def meanwhile() -> None:
        started.set()
        release.wait(10)  # still busy when the server answers

    try:
        server.ready(meanwhile=meanwhile)
        assert started.wait(5)  # it ran in the background...
        assert not release.is_set()  # ...and ready() returned while it was still busy
    finally:
        release.set()
        server.stop()


def test_no_work_meanwhile_when_the_server_already_answers(monkeypatch):
    server = _booting_server(monkeypatch, answers_after=0)
    ran = []
    try:
        server.ready(meanwhile=lambda: ran.append(1))
    finally:
        server.stop()
    assert ran == []


def test_the_validation_libraries_can_be_loaded_ahead():
    """`preload` imports what validating needs (GX included), in a fresh interpreter."""
    code = (
        "import sys; from validate import preload; preload(); "
        "print(all(m in sys.modules for m in ('great_expectations', 'pandas', 'validate.stage')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
