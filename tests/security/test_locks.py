"""Stale locks (issue 12, finding 8): one lock owner per run, so a retry of the same run takes
the lock its first attempt left; the lock is renewed while the run works; `dulieumo unlock`
clears a lock whose run is gone and refuses one whose run is alive."""

from __future__ import annotations

import threading
import time

import pytest

from dulieumo.errors import DulieumoError
from tests.security.release_actors import (
    TOURISM,
    TOURISM_ORG,
    GateProxy,
    call,
    change_a_row,
    public_state,
    publish_now,
    published_root,
)
from tests.support.cli import json_out, run


@pytest.fixture(scope="module")
def baseline(portal, tmp_path_factory: pytest.TempPathFactory):
    return published_root(portal, tmp_path_factory)


@pytest.fixture
def proxy(portal):
    proxy = GateProxy(portal.url)
    yield proxy
    proxy.close()


def _lock(portal, **data):
    return call(portal, "dulieumo_release_lock", data, portal.token("publisher"))


def _release(portal, owner: str) -> None:
    _lock(portal, id=TOURISM, owner=owner, owner_org=TOURISM_ORG, release=True)


def test_a_retry_of_the_same_run_takes_the_lock_its_first_attempt_left(
    portal, baseline, proxy, tmp_path
):
    change_a_row(baseline, "(lần thử lại)")
    # the first attempt dies after taking the lock: its switch and its unlock never arrive
    proxy.rules.drop_on = [("dulieumo_release_switch", b""), ("dulieumo_release_lock", b'release"')]
    with pytest.raises(DulieumoError):
        publish_now(baseline, portal, TOURISM, tmp_path / "a1", url=proxy.url, flow_run_id="r-1")
    # a different run is still kept out by that lock ...
    status, body = _lock(portal, id=TOURISM, owner="another-run", owner_org=TOURISM_ORG)
    assert status in (200, 409) and (body.get("result") or {}).get("status") != "acquired"
    # ... but the same flow run's retry publishes
    result = publish_now(baseline, portal, TOURISM, tmp_path / "a2", flow_run_id="r-1")
    assert result.action == "released"
    assert (
        b"(l\xe1\xba\xa7n th\xe1\xbb\xad l\xe1\xba\xa1i)" in public_state(portal, TOURISM)["latest"]
    )
    status, body = _lock(portal, id=TOURISM, op="status")
    assert body["result"]["status"] == "free"


def test_a_long_run_keeps_its_lock_past_its_ttl(portal, baseline, proxy, tmp_path, monkeypatch):
    ttl = 3
    monkeypatch.setenv("DULIEUMO_LOCK_TTL", str(ttl))
    proxy.rules.lock_ttl = ttl  # the lock the run asks for lasts 3 s without renewal
    proxy.rules.delay_on, proxy.rules.delay_s = "resource_create", 2.0  # ~4 x 2 s of staging
    change_a_row(baseline, "(lần chạy dài)")
    outcome: dict = {}

    def publish() -> None:
        try:
            outcome["result"] = publish_now(
                baseline, portal, TOURISM, tmp_path / "long", url=proxy.url, flow_run_id="long"
            )
        except Exception as exc:  # reported below
            outcome["error"] = exc

    worker = threading.Thread(target=publish)
    worker.start()
    deadline = time.monotonic() + 120
    while not any("dulieumo_release_lock" in p for p in proxy.rules.seen):
        assert time.monotonic() < deadline and worker.is_alive(), outcome
        time.sleep(0.05)
    time.sleep(2 * ttl)  # well past the ttl the lock was taken with
    _, body = _lock(portal, id=TOURISM, owner="competitor", owner_org=TOURISM_ORG, ttl=60)
    competitor_result = body.get("result") or {}
    worker.join(timeout=180)
    if competitor_result.get("status") != "held":
        _release(portal, "competitor")
    assert competitor_result.get("status") == "held", body
    assert competitor_result.get("mine") is False
    assert "error" not in outcome, outcome
    assert outcome["result"].action == "released"
    renewals = [p for p in proxy.rules.seen if "dulieumo_release_lock" in p]
    assert len(renewals) >= 3  # acquire, heartbeat renewals, release


def test_unlock_refuses_a_live_lock_and_clears_a_stale_one(portal, baseline):
    owner = "crashed-run"
    _, body = _lock(portal, id=TOURISM, owner=owner, owner_org=TOURISM_ORG, ttl=60)
    assert body["result"]["status"] == "acquired", body
    try:
        proc = run("unlock", TOURISM)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "still alive" in proc.stderr and "--force" in proc.stderr
        assert owner not in proc.stderr + proc.stdout
        _, body = _lock(portal, id=TOURISM, owner=owner, op="status")
        assert body["result"]["mine"] is True and body["result"]["stale"] is False

        # the run dies: no renewal for two heartbeat periods (2/3 of ttl), not yet expired
        _lock(portal, id=TOURISM, owner=owner, owner_org=TOURISM_ORG, ttl=9)
        time.sleep(6.5)
        _, body = _lock(portal, id=TOURISM, op="status")
        assert body["result"]["status"] == "held" and body["result"]["stale"] is True
        proc = run("unlock", TOURISM, "--json")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert json_out(proc)["status"] == "cleared"
        _, body = _lock(portal, id=TOURISM, op="status")
        assert body["result"]["status"] == "free"
        # --force clears a live one
        _lock(portal, id=TOURISM, owner=owner, owner_org=TOURISM_ORG, ttl=60)
        proc = run("unlock", TOURISM, "--force", "--json")
        assert proc.returncode == 0 and json_out(proc)["status"] == "cleared", proc.stderr
    finally:
        _release(portal, owner)
