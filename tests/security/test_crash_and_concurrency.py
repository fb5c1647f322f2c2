"""A publish killed with SIGKILL in the middle (the audit found this held; pinned here) and two
publishes of the same dataset at once: the public dataset and its latest release never show a
half-made release, the next run succeeds once the dead run's lock is stale and cleared, and of
two concurrent runs exactly one publishes while the other is told the dataset is being
published."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.release_actors import (
    TOURISM,
    GateProxy,
    call,
    change_a_row,
    public_state,
    published_root,
)
from tests.support.catalog import REPO_ROOT
from tests.support.cli import json_out, run

LOCK_TTL_S = 6


@pytest.fixture(scope="module")
def root(portal, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return published_root(portal, tmp_path_factory)


@pytest.fixture
def proxy(portal):
    proxy = GateProxy(portal.url)
    yield proxy
    proxy.close()


def _start(portal, root: Path, url: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DULIEUMO_TEST_TOKEN": portal.token("publisher"),
        "DULIEUMO_LOCK_TTL": str(LOCK_TTL_S),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.security.publish_once", str(root), TOURISM, url],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: kill -9 takes all of it
    )


def _wait_for(proxy: GateProxy, procs: list[subprocess.Popen[str]]) -> None:
    """Until a run's request reaches the held step; a run that ends before is a failure."""
    deadline = time.monotonic() + 180
    while not proxy.rules.arrived.wait(timeout=0.2):
        ended = [p for p in procs if p.poll() is not None]
        assert not ended, _outcome(ended[0])
        assert time.monotonic() < deadline, "no run reached the held step"


def _outcome(proc: subprocess.Popen[str]) -> dict:
    out, err = proc.communicate(timeout=300)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    assert lines, err[-3000:]
    return {**json.loads(lines[-1]), "returncode": proc.returncode}


def _staged(portal) -> list:
    return portal.ckan("sysadmin").action.package_show(id=f"{TOURISM}--staging")["resources"]


def _lock_status(portal) -> dict:
    _, body = call(
        portal, "dulieumo_release_lock", {"id": TOURISM, "op": "status"}, portal.token("publisher")
    )
    return dict(body["result"])


@pytest.mark.parametrize("killed_at", ["resource_create", "dulieumo_datastore_load"])
def test_kill_9_mid_publish_leaves_the_public_release_and_the_next_run_succeeds(
    portal, root, proxy, killed_at
):
    before = public_state(portal, TOURISM)
    mark = f"(kill -9 {killed_at})"
    change_a_row(root, mark)
    proxy.rules.hold_on = killed_at  # staging upload, or the DataStore load (COPY) of the new table
    proc = _start(portal, root, proxy.url)
    _wait_for(proxy, [proc])
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    proxy.rules.gate.set()  # the request in flight still reaches the portal, as it would
    time.sleep(1)
    assert public_state(portal, TOURISM) == before

    # the dead run's lock stops being renewed: stale after 2/3 of its ttl, then cleared
    deadline = time.monotonic() + 4 * LOCK_TTL_S
    while (status := _lock_status(portal))["status"] == "held" and not status["stale"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.5)
    proc_unlock = run("unlock", TOURISM, "--json")
    assert proc_unlock.returncode == 0, proc_unlock.stdout + proc_unlock.stderr
    assert json_out(proc_unlock)["status"] in ("cleared", "free")
    assert public_state(portal, TOURISM) == before

    outcome = _outcome(_start(portal, root, portal.url))
    assert outcome["ok"] and outcome["action"] == "released", outcome
    after = public_state(portal, TOURISM)
    assert after["version"] == outcome["version"] != before["version"]
    assert mark.encode() in after["latest"]
    assert _staged(portal) == []


def test_two_concurrent_publishes_one_wins_the_other_is_told(portal, root, proxy):
    before = public_state(portal, TOURISM)
    change_a_row(root, "(hai lần chạy cùng lúc)")
    # whoever takes the lock first waits inside it until the other run has been answered
    proxy.rules.hold_on = "resource_create"
    runs = [_start(portal, root, proxy.url), _start(portal, root, proxy.url)]
    _wait_for(proxy, runs)
    deadline = time.monotonic() + 180
    while all(p.poll() is None for p in runs):
        assert time.monotonic() < deadline, "the second run was never answered"
        time.sleep(0.2)
    proxy.rules.gate.set()
    outcomes = sorted((_outcome(p) for p in runs), key=lambda o: o["returncode"])
    winner, loser = outcomes
    assert winner["returncode"] == 0 and winner["action"] == "released", outcomes
    assert loser["returncode"] == 2 and loser["code"] == "publication-locked", outcomes
    assert "being published by another run" in loser["message"]
    assert "đang được một lần chạy khác công bố" in loser["message"]
    assert "published nothing" in loser["message"]

    after = public_state(portal, TOURISM)
    assert after["version"] == winner["version"] != before["version"]
    assert len(after["releases"]) == len(before["releases"]) + 1 > 1
    assert "(hai lần chạy cùng lúc)".encode() in after["latest"]
    assert _staged(portal) == []
    assert _lock_status(portal)["status"] == "free"
