"""PostgreSQL and Redis: find them, start local ones that are installed but stopped.

Installing missing servers is the job of ``portal/provision.sh`` (run by ``make install``);
here we only check reachability and say precisely what to do when a service is missing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg2

from dulieumo.errors import LocalPortalError

from .settings import PortalSettings

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def _port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def pg_connect(
    settings: PortalSettings, dbname: str = "postgres"
) -> psycopg2.extensions.connection:
    """Connect as the configured superuser; clear error when PostgreSQL is unreachable."""
    try:
        conn = psycopg2.connect(
            host=settings.pg_host,
            port=settings.pg_port,
            user=settings.pg_superuser,
            password=settings.pg_superuser_password or None,
            dbname=dbname,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LocalPortalError(
            f"PostgreSQL is unreachable at {settings.pg_host}:{settings.pg_port} "
            f"as user '{settings.pg_superuser}': {first}",
            hint="Start PostgreSQL (as root: `make install` installs and starts it), or point "
            "DULIEUMO_PG_HOST / DULIEUMO_PG_PORT / DULIEUMO_PG_SUPERUSER at a running server.",
        ) from None
    conn.autocommit = True
    return conn


def _clusters_on_port(port: int) -> list[tuple[str, str]]:
    """Debian's PostgreSQL clusters (version, name) configured for this port."""
    if shutil.which("pg_lsclusters") is None:
        return []
    proc = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False)
    found = []
    for line in proc.stdout.splitlines():
        cols = line.split()
        if len(cols) >= 3 and cols[2] == str(port):
            found.append((cols[0], cols[1]))
    return found


def _try_start_postgres(port: int) -> bool:
    """Start the stopped local cluster configured for the port (never another one)."""
    under_systemd = Path("/run/systemd/system").is_dir()
    clusters = _clusters_on_port(port)
    for version, name in clusters:
        skip = [] if under_systemd else ["--skip-systemctl-redirect"]
        subprocess.run(
            ["pg_ctlcluster", *skip, version, name, "start"], capture_output=True, check=False
        )
    return bool(clusters)


def _try_start_redis(port: int) -> None:
    if shutil.which("redis-server") is None:
        return
    subprocess.run(
        [
            "redis-server",
            "--daemonize",
            "yes",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        capture_output=True,
        check=False,
    )


def ensure_postgres(settings: PortalSettings) -> None:
    """Make sure PostgreSQL answers; start the local cluster for its port if only stopped."""
    local = settings.pg_host in LOCAL_HOSTS
    if (
        local
        and not _port_open(settings.pg_host, settings.pg_port)
        and _try_start_postgres(settings.pg_port)
    ):
        for _ in range(20):
            if _port_open(settings.pg_host, settings.pg_port):
                break
            time.sleep(0.5)
    pg_connect(settings).close()


def redis_address(settings: PortalSettings) -> tuple[str, int]:
    parsed = urlparse(settings.redis_url)
    return parsed.hostname or "127.0.0.1", parsed.port or 6379


def redis_ping(settings: PortalSettings) -> bool:
    host, port = redis_address(settings)
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def ensure_redis(settings: PortalSettings) -> None:
    """Make sure Redis answers PING; start a local default one if redis-server is installed."""
    host, port = redis_address(settings)
    if redis_ping(settings):
        return
    if host in LOCAL_HOSTS and port == 6379:
        _try_start_redis(port)
        for _ in range(20):
            if redis_ping(settings):
                return
            time.sleep(0.25)
    raise LocalPortalError(
        f"Redis does not answer at {host}:{port} (DULIEUMO_REDIS_URL={settings.redis_url}).",
        hint="Start Redis (as root: `make install` installs and starts it, or "
        "`redis-server --daemonize yes --bind 127.0.0.1`), or set DULIEUMO_REDIS_URL.",
    )
