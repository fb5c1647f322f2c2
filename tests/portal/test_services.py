"""Finding and starting local services: only the PostgreSQL cluster configured for a port."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from portal import services


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


needs_pg_common = pytest.mark.skipif(
    shutil.which("pg_lsclusters") is None, reason="Debian's postgresql-common is not installed"
)


@needs_pg_common
def test_clusters_on_port_finds_the_cluster_listed_for_that_port_only():
    listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    version, name, port = listed.split()[:3]
    assert (version, name) in services._clusters_on_port(int(port))
    assert services._clusters_on_port(_free_port()) == []


@needs_pg_common
def test_nothing_is_started_for_a_port_no_cluster_is_configured_for():
    assert services._try_start_postgres(_free_port()) is False
