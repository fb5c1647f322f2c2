"""Prefect's temporary server, started before Prefect is imported instead of after.

Without an API to use, Prefect's client starts a temporary server when a flow first needs
one: it imports Prefect's whole server application into the command's own process (~1.5 s)
only to start it again in a subprocess (`uvicorn prefect.server.api.server:create_app`,
~3 s to answer), and the command waits. A command that runs flows (`dulieumo publish`,
`demo`) calls ``start_early`` first instead: the same subprocess, with the same command line
and environment, starts at once and boots while the command imports the flows, and Prefect
is pointed at it (PREFECT_API_URL, set before Prefect is imported, as
``local_server.reuse_running_server`` does). It is stopped at exit as Prefect stops its own.
Its port (Prefect's range) is held from the start until it listens, since Prefect's URL cannot
change once Prefect has read it (Prefect itself moves to another port when one is taken).

Only where Prefect would start a temporary server itself: no API in the environment, no
`dulieumo serve` server, and a Prefect configuration this module reads for certain (the
environment and the active profile; any other source of Prefect settings in the working
folder, .env, prefect.toml, [tool.prefect], leaves the decision to Prefect). Otherwise
nothing changes.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import random
import socket
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable
from contextlib import closing, suppress
from pathlib import Path
from typing import Any

from dulieumo.settings import prefect_environment, prefect_variables

from .local_server import reuse_running_server

#: Prefect's own choices (prefect.server.api.server.SubprocessASGIServer, 3.9)
PORT_RANGE = range(8000, 9000)
DEFAULT_STARTUP_TIMEOUT_S = 20.0
_TRUE = {"1", "true", "t", "yes", "y", "on"}


def _quietly(work: Callable[[], None]) -> None:
    """Ahead-of-time work: its failure changes nothing (the run does the work again)."""
    with suppress(Exception):
        work()


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in _TRUE


def _profile() -> dict[str, Any] | None:
    """The active Prefect profile's settings as Prefect reads them, or None when unsure."""
    env = prefect_variables(
        "PREFECT_PROFILES_PATH",
        "PREFECT_PROFILE",
        "PREFECT_TEST_MODE",
        "PREFECT_UNIT_TEST_MODE",
        "PREFECT_TESTING_UNIT_TEST_MODE",
        "PREFECT_TESTING_TEST_MODE",
    )
    if any(value for name, value in env.items() if name != "PREFECT_PROFILE"):
        return None
    if Path(".env").exists() or Path("prefect.toml").exists():
        return None
    with suppress(OSError):
        if "tool.prefect" in Path("pyproject.toml").read_text(encoding="utf-8"):
            return None
    path = prefect_environment()[1] / "profiles.toml"
    default = {"PREFECT_SERVER_EPHEMERAL_ENABLED": "true"}  # Prefect's bundled 'ephemeral'
    if not path.exists():
        return default
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    active = env.get("PREFECT_PROFILE") or data.get("active")
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        return None
    if not active or active not in profiles:
        return default
    chosen = profiles[active]
    return chosen if isinstance(chosen, dict) else None


def prefect_would_start_one() -> bool:
    """True when Prefect's client would start its temporary server (no API configured and
    ephemeral mode on), as far as the environment and the active profile tell for certain."""
    if prefect_environment()[0]:
        return False
    profile = _profile()
    if profile is None or profile.get("PREFECT_API_URL"):
        return False
    names = ("PREFECT_SERVER_EPHEMERAL_ENABLED", "PREFECT_SERVER_ALLOW_EPHEMERAL_MODE")
    env = prefect_variables(*names)
    enabled: Any = next(
        (source[n] for source in (env, profile) for n in names if source.get(n) is not None),
        None,
    )
    return enabled is not None and _truthy(enabled)


def _reserve(port: int) -> socket.socket | None:
    """Hold ``port`` for the server about to start, if no process holds it (Prefect's own
    check: a bind without SO_REUSEADDR). Held bound with SO_REUSEADDR and not listening:
    the server (uvicorn binds with SO_REUSEADDR) can take it, while any other process's
    check finds it in use until the holder is closed."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return None
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        return None
    return sock


def _reserved_port() -> tuple[int, socket.socket]:
    """A free port of Prefect's range, held (see ``_reserve``) until the server listens."""
    for _ in range(10):
        port = random.choice(PORT_RANGE)
        held = _reserve(port)
        if held is not None:
            return port, held
        time.sleep(random.uniform(0.1, 0.5))
    raise RuntimeError("Unable to find an available port after multiple attempts")


class TemporaryServer:
    """Prefect's temporary server subprocess: ``spawn`` returns at once, ``ready`` waits."""

    def __init__(self) -> None:
        self.port, held = _reserved_port()
        self._held: socket.socket | None = held
        self.process: subprocess.Popen[bytes] | None = None
        self._announced = False

    @property
    def address(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.address}/api"

    def command(self) -> list[str]:
        """The command line Prefect's SubprocessASGIServer runs."""
        spec = importlib.util.find_spec("prefect")  # finds it without importing it
        if spec is None or spec.origin is None:
            raise RuntimeError("Prefect is not installed")
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(Path(spec.origin).parent.parent),
            "--factory",
            "prefect.server.api.server:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "error",
            "--lifespan",
            "on",
        ]

    def spawn(self) -> None:
        """Start the server's process (Prefect's command line and environment)."""
        env = {
            **os.environ,
            "PREFECT_UI_ENABLED": "0",
            "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1",
        }
        self.process = subprocess.Popen(self.command(), env=env)

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as resp:
                return bool(resp.status == 200)
        except (OSError, ValueError):
            return False

    def _release_port(self) -> None:
        if self._held is not None:
            self._held.close()
            self._held = None

    def ready(self, meanwhile: Callable[[], None] | None = None) -> None:
        """Wait until the server answers (Prefect's startup timeout, its messages), or raise.
        ``meanwhile``: work started in a background thread when there is a wait (imports
        the run may need); the command goes on when the server answers, not when it ends."""
        from prefect.logging import get_logger

        if meanwhile is not None and not self._healthy():
            threading.Thread(target=_quietly, args=(meanwhile,), daemon=True).start()

        if self.process is None:
            raise RuntimeError("the temporary Prefect server was stopped")
        if not self._announced:
            self._announced = True
            get_logger().info(
                f"Starting temporary server on {self.address}\nSee "
                "https://www.prefect.io/docs/v3/concepts/server#how-to-guides "
                "for more information on running a dedicated Prefect server."
            )
        raw = prefect_variables("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS").get(
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
        )
        try:
            limit = float(raw) if raw else DEFAULT_STARTUP_TIMEOUT_S
        except ValueError:
            limit = DEFAULT_STARTUP_TIMEOUT_S
        deadline = time.monotonic() + limit
        message = "Timed out while attempting to connect to ephemeral Prefect API server."
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:  # the port is held for it: exit 3 is not a port taken
                raise RuntimeError(f"{message} Ephemeral server process exited with code {code}.")
            if self._healthy():
                self._release_port()
                return
            time.sleep(0.1)
        raise RuntimeError(message)

    def stop(self) -> None:
        """Prefect's stop: terminate, 5 s, kill."""
        self._release_port()
        if self.process is None:
            return
        if self._announced:
            from prefect.logging import get_logger

            get_logger().info(f"Stopping temporary server on {self.address}")
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            self.process = None


def start_early() -> TemporaryServer | None:
    """Before Prefect is imported, in a command about to run flows: start the temporary
    server Prefect would start, point Prefect at it (call ``ready`` before the first flow),
    and stop it at exit. None (nothing done) when a server is configured or running, when
    Prefect would start none, or when Prefect was imported already (its settings are read)."""
    if "prefect.context" in sys.modules:
        return None
    if reuse_running_server() or not prefect_would_start_one():
        return None
    server = TemporaryServer()
    server.spawn()
    atexit.register(server.stop)
    os.environ["PREFECT_API_URL"] = server.api_url
    # no UI URL, as with Prefect's own temporary server (it serves no UI): Prefect would infer
    # one from the API URL and log a "View at" link that leads nowhere
    if not prefect_variables("PREFECT_UI_URL") and not (_profile() or {}).get("PREFECT_UI_URL"):
        os.environ["PREFECT_UI_URL"] = ""
    return server
