"""The portal's web server: gunicorn in the background, a pid file, a log file, a health check."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from dulieumo.errors import LocalPortalError

from .ckan_ini import WSGI
from .settings import PortalSettings


def read_pid(settings: PortalSettings) -> int | None:
    try:
        pid = int(settings.pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    try:  # a zombie is dead too
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return None
    except (OSError, IndexError):
        pass
    return pid


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def status_show(settings: PortalSettings, timeout: float = 3.0) -> dict[str, Any] | None:
    """The portal's own `status_show`, or None when it does not answer with success."""
    try:
        with urllib.request.urlopen(
            f"{settings.url}/api/3/action/status_show", timeout=timeout
        ) as resp:
            body = json.loads(resp.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if not isinstance(body, dict) or not body.get("success"):
        return None
    result = body.get("result")
    return result if isinstance(result, dict) else None


def _log_tail(settings: PortalSettings, lines: int = 20) -> str:
    try:
        text = settings.server_log.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return "    (no log yet)"
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def start(settings: PortalSettings, wait_s: float = 90.0) -> int:
    """Start gunicorn unless our server already runs; return its pid once healthy."""
    pid = read_pid(settings)
    if pid and status_show(settings):
        return pid
    if pid:  # our process is alive but unhealthy: replace it
        stop(settings)
    if port_in_use(settings.portal_host, settings.portal_port):
        raise LocalPortalError(
            f"Port {settings.portal_port} on {settings.portal_host} is already in use by another "
            "program, so the portal cannot start there.",
            hint=f"Stop that program, or choose another port: DULIEUMO_PORTAL_PORT="
            f"{settings.portal_port + 1} dulieumo portal up",
        )
    wsgi = settings.state_dir / "wsgi.py"
    wsgi.write_text(WSGI.format(ini=str(settings.ini)), encoding="utf-8")
    settings.log_dir.mkdir(parents=True, exist_ok=True)
    log = settings.server_log.open("ab")
    cmd = [
        str(settings.venv / "bin" / "gunicorn"),
        "--bind",
        f"{settings.portal_host}:{settings.portal_port}",
        "--workers",
        str(settings.portal_workers),
        "--timeout",
        "300",
        "--chdir",
        str(settings.state_dir),
        "wsgi:application",
    ]
    env = {**os.environ, "CKAN_INI": str(settings.ini), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        env=env,
        cwd=settings.state_dir,
    )
    log.close()
    settings.pid_file.write_text(str(proc.pid))
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LocalPortalError(
                f"The portal server exited during start-up (exit {proc.returncode}). "
                f"Last lines of {settings.server_log}:\n{_log_tail(settings)}",
                hint="Fix the cause shown above, then run `dulieumo portal up` again.",
            )
        if status_show(settings, timeout=2):
            return proc.pid
        time.sleep(0.3)
    stop(settings)
    raise LocalPortalError(
        f"The portal did not answer within {wait_s:.0f} s. Last lines of "
        f"{settings.server_log}:\n{_log_tail(settings)}",
        hint="Run `dulieumo portal up` again; if it persists, read the log above.",
    )


def _reap(pid: int) -> None:
    """Collect the exit status when the server is our own child (tests start it in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def stop(settings: PortalSettings, wait_s: float = 15.0) -> bool:
    """Stop our gunicorn (the whole process group). Returns True if something was stopped."""
    pid = read_pid(settings)
    if pid is None:
        settings.pid_file.unlink(missing_ok=True)
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and read_pid(settings):
        _reap(pid)
        time.sleep(0.2)
    if read_pid(settings):
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    settings.pid_file.unlink(missing_ok=True)
    return True
