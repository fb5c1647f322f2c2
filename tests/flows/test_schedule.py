"""Schedules from the specs: deployments on the test Prefect server, `serve` running one."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import time
import zoneinfo
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.catalog import CORE_DATASETS, REPO_ROOT, copy_catalog, edit_spec
from tests.support.cli import DULIEUMO, json_out, run

TZ = "Asia/Ho_Chi_Minh"


def _api() -> str:
    return os.environ["PREFECT_API_URL"].rstrip("/")


def _deployments() -> dict[str, Any]:
    """Our deployments (tag dulieumo), read over the Prefect REST API."""
    resp = httpx.post(
        f"{_api()}/deployments/filter",
        json={"deployments": {"tags": {"all_": ["dulieumo"]}}},
        timeout=30,
    )
    resp.raise_for_status()
    return {d["name"]: d for d in resp.json()}


def _cleanup() -> None:
    for dep in _deployments().values():
        httpx.delete(f"{_api()}/deployments/{dep['id']}", timeout=30).raise_for_status()


@pytest.fixture
def clean_prefect():
    _cleanup()
    yield
    _cleanup()


def _could_not_run(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    text = proc.stdout + proc.stderr
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, (needle, text[-2000:])


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("schedule", "needles"),
    [
        ({"cron": "0 25 * * *"}, ["schedule.cron", "'0 25 * * *'", "not a valid cron"]),
        ({"cron": "every night"}, ["schedule.cron", "five fields"]),
        (
            {"timezone": "Asia/Hanoi"},
            ["schedule.timezone", "unknown timezone 'Asia/Hanoi'", "Asia/Ho_Chi_Minh"],
        ),
    ],
    ids=["cron-out-of-range", "cron-not-cron", "unknown-timezone"],
)
@pytest.mark.slow
def test_bad_schedule_is_a_spec_error_naming_file_and_field(
    tmp_path, clean_prefect, schedule, needles
):
    root = copy_catalog(tmp_path)
    edit_spec(root, "co-so-luu-tru", lambda d: d.__setitem__("schedule", schedule))
    for args in (("schedule",), ("catalog", "check"), ("publish", "co-so-luu-tru")):
        proc = run(*args, root=root)
        assert proc.returncode in (1, 2), (args, proc.returncode)
        text = proc.stdout + proc.stderr
        assert "datasets/so-du-lich/co-so-luu-tru.yaml" in text, (args, text[-1500:])
        for needle in needles:
            assert needle in text, (args, needle, text[-1500:])
    _could_not_run(run("schedule", root=root), *needles)
    assert _deployments() == {}  # nothing registered from a bad catalogue


@pytest.mark.slow
def test_schedule_with_prefect_unreachable_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    url = f"http://127.0.0.1:{port}/api"
    start = time.monotonic()
    proc = run("schedule", env={"PREFECT_API_URL": url})
    _could_not_run(proc, url, "does not answer", "prefect server start")
    assert time.monotonic() - start < 60  # no endless client retries
    proc = run("schedule", "--json", env={"PREFECT_API_URL": url})
    assert proc.returncode == 2
    assert json_out(proc)["error"]["code"] == "prefect-unavailable"


# ------------------------------------------------------------------------- register


@pytest.mark.slow
def test_schedule_registers_one_deployment_per_dataset_idempotently(tmp_path, clean_prefect):
    root = copy_catalog(tmp_path, only=CORE_DATASETS)
    edit_spec(
        root,
        "co-so-luu-tru",
        lambda d: d.__setitem__("schedule", {"cron": "30 3 * * 1", "timezone": TZ}),
    )
    edit_spec(root, "co-so-giao-duc", lambda d: d.__setitem__("schedule", {"paused": True}))

    first = run("schedule", "--json", root=root)
    assert first.returncode == 0, first.stderr[-3000:]
    reg = json_out(first)
    assert reg["removed"] == []
    deps = _deployments()
    assert set(deps) == {
        "co-so-luu-tru",
        "co-so-giao-duc",
        "co-so-kham-chua-benh",
        "dulieumo-all",
        "dulieumo-crash-notice",
    }
    luu_tru = deps["co-so-luu-tru"]
    cron = luu_tru["schedules"][0]["schedule"]
    assert (cron["cron"], cron["timezone"]) == ("30 3 * * 1", TZ)
    assert luu_tru["parameters"] == {"dataset": "co-so-luu-tru"}  # the trigger: from the run
    assert "org:so-du-lich" in luu_tru["tags"] and "dulieumo-dataset" in luu_tru["tags"]
    # derived from `frequency: monthly` (the 1st, 02:00) and `yearly` (1 January, 02:00)
    kham = deps["co-so-kham-chua-benh"]["schedules"][0]["schedule"]
    assert (kham["cron"], kham["timezone"]) == ("0 2 1 * *", TZ)
    giao_duc = deps["co-so-giao-duc"]
    assert giao_duc["schedules"][0]["schedule"]["cron"] == "0 2 1 1 *"
    assert giao_duc["paused"] is True and luu_tru["paused"] is False
    assert deps["dulieumo-all"]["schedules"] == []  # on demand; datasets have their own

    # `status` reads the next run of each deployment from Prefect's own scheduled runs
    from dulieumo.catalog.schedule import Schedule

    expected = Schedule("30 3 * * 1", TZ).next_run()
    rows: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = {r["dataset"]: r for r in json_out(run("status", "--json", root=root))}
        if rows["co-so-luu-tru"]["next_run_source"] == "prefect":
            break
        time.sleep(3)
    assert rows["co-so-luu-tru"]["next_run_source"] == "prefect", rows["co-so-luu-tru"]
    assert dt.datetime.fromisoformat(rows["co-so-luu-tru"]["next_run"]) == expected
    assert rows["co-so-giao-duc"]["next_run_source"] == "paused"
    assert rows["co-so-giao-duc"]["next_run"] is None

    again = run("schedule", "--json", root=root)
    assert again.returncode == 0, again.stderr[-3000:]
    assert {d["name"]: d["id"] for d in json_out(again)["deployments"]} == {
        d["name"]: d["id"] for d in reg["deployments"]
    }
    assert {n: d["id"] for n, d in _deployments().items()} == {n: d["id"] for n, d in deps.items()}

    # a removed dataset's deployment goes; the others keep their ids
    (root / "datasets/so-du-lich/co-so-luu-tru.yaml").unlink()
    third = run("schedule", "--json", root=root)
    assert third.returncode == 0, third.stderr[-3000:]
    assert json_out(third)["removed"] == ["co-so-luu-tru"]
    after = _deployments()
    assert set(after) == {
        "co-so-giao-duc",
        "co-so-kham-chua-benh",
        "dulieumo-all",
        "dulieumo-crash-notice",
    }
    assert after["co-so-kham-chua-benh"]["id"] == deps["co-so-kham-chua-benh"]["id"]


# ------------------------------------------------------------------------- serve


def _next_minute(tz: str, margin_s: int = 20) -> dt.datetime:
    now = dt.datetime.now(zoneinfo.ZoneInfo(tz))
    fire = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    if (fire - now).total_seconds() < margin_s:
        fire += dt.timedelta(minutes=1)
    return fire


def _history(work: Path) -> list[dict[str, Any]]:
    path = work / "history" / "runs.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_serve_runs_a_publication_scheduled_a_few_seconds_ahead(portal, tmp_path, clean_prefect):
    portal.reset()
    root = copy_catalog(tmp_path / "catalog")
    for other in ("so-y-te/co-so-kham-chua-benh", "so-giao-duc-dao-tao/co-so-giao-duc"):
        (root / f"datasets/{other}.yaml").unlink()
    fire = _next_minute(TZ)
    cron = f"{fire.minute} {fire.hour} * * *"  # in Vietnamese time, not the machine's UTC
    edit_spec(
        root, "co-so-luu-tru", lambda d: d.__setitem__("schedule", {"cron": cron, "timezone": TZ})
    )
    work = tmp_path / "work"
    env = {
        **os.environ,
        "DULIEUMO_ROOT": str(root),
        "DULIEUMO_WORK_DIR": str(work),
        "DULIEUMO_RETRY_DELAYS": "0.2,0.2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",
    }
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [DULIEUMO, "serve"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=REPO_ROOT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + (fire - dt.datetime.now(dt.UTC)).total_seconds() + 150
        records: list[dict[str, Any]] = []
        while time.monotonic() < deadline and not records:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            records = [r for r in _history(work) if r["trigger"] == "schedule"]
            time.sleep(2)
        assert records, (tmp_path / "serve.log").read_text()[-3000:]
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    rec = records[0]
    assert rec["dataset"] == "co-so-luu-tru"
    assert rec["status"] == "published", rec
    assert rec["version"] == "1.0.0"
    assert rec["flow_run_id"]
    started = dt.datetime.fromisoformat(rec["started_at"])
    assert started >= fire - dt.timedelta(seconds=1), (started, fire)  # not before its time
    assert started <= fire + dt.timedelta(seconds=60), (started, fire)
    pkg = portal.ckan().action.package_show(id="co-so-luu-tru")
    assert pkg["version"] == "1.0.0"


# ------------------------------------------------------------------------- pure logic


@pytest.mark.parametrize(
    ("frequency", "after", "expected"),
    [
        ("daily", "2026-12-01T20:00:00+00:00", "2026-12-03T02:00:00+07:00"),  # 03:00 VN, 2nd
        ("daily", "2026-12-01T18:00:00+00:00", "2026-12-02T02:00:00+07:00"),  # 01:00 VN
        ("weekly", "2026-12-01T12:00:00+00:00", "2026-12-07T02:00:00+07:00"),  # a Monday
        ("monthly", "2026-12-01T12:00:00+00:00", "2027-01-01T02:00:00+07:00"),
        ("quarterly", "2026-12-01T12:00:00+00:00", "2027-01-01T02:00:00+07:00"),
        ("quarterly", "2027-01-01T12:00:00+00:00", "2027-04-01T02:00:00+07:00"),
        ("yearly", "2026-12-01T12:00:00+00:00", "2027-01-01T02:00:00+07:00"),
        ("irregular", "2026-12-01T12:00:00+00:00", "2026-12-02T02:00:00+07:00"),
    ],
)
def test_default_schedule_from_frequency(frequency, after, expected):
    from dulieumo.catalog.schedule import Schedule

    sched = Schedule.of(None, frequency)
    assert sched.derived and sched.timezone == TZ
    assert sched.next_run(dt.datetime.fromisoformat(after)).isoformat() == expected


def test_declared_schedule_keeps_its_timezone():
    from dulieumo.catalog.schedule import Schedule, ScheduleSpec

    sched = Schedule.of(ScheduleSpec(cron="30  6 * * 1-5", timezone="UTC"), "monthly")
    assert (sched.cron, sched.derived) == ("30 6 * * 1-5", False)
    after = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)  # a Saturday
    assert sched.next_run(after).isoformat() == "2026-12-07T06:30:00+00:00"
