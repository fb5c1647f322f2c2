"""Freshness: `dulieumo status` per dataset and the two lines on the portal's dataset page."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from pathlib import Path

import httpx
import pytest

from dulieumo import history
from dulieumo.catalog.schedule import Schedule
from dulieumo.freshness import freshness
from tests.support.catalog import CORE_DATASETS, copy_catalog, edit_spec
from tests.support.cli import json_out, run

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DATASET = "co-so-luu-tru"  # quarterly: derived schedule "0 2 1 1,4,7,10 *"


@pytest.fixture(scope="module")
def published(portal, tmp_path_factory):
    """co-so-luu-tru published once by the CLI, with its own work root (history)."""
    portal.reset()
    base = tmp_path_factory.mktemp("status")
    root = copy_catalog(base / "catalog", only=CORE_DATASETS)
    edit_spec(
        root,
        "co-so-kham-chua-benh",
        lambda d: d.__setitem__("schedule", {"cron": "15 4 * * *", "timezone": "Asia/Ho_Chi_Minh"}),
    )
    work = base / "work"
    env = {"DULIEUMO_WORK_DIR": str(work)}
    proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, env, work


def _by_name(proc) -> dict:
    return {r["dataset"]: r for r in json_out(proc)}


def test_status_reports_release_attempt_next_run_and_overdue(published, portal):
    root, env, _work = published
    before = dt.datetime.now(dt.UTC)
    proc = run("status", "--json", root=root, env=env)
    assert proc.returncode == 1  # two datasets were never published: overdue
    rows = _by_name(proc)
    assert set(rows) == {"co-so-luu-tru", "co-so-kham-chua-benh", "co-so-giao-duc"}

    lt = rows[DATASET]
    assert lt["last_release"]["version"] == "1.0.0"
    assert lt["last_release"]["url"].endswith(f"/dataset/{DATASET}")
    assert lt["portal_checked"] is True
    assert lt["last_attempt"]["status"] == "published"
    assert lt["last_attempt"]["trigger"] == "manual"
    assert lt["overdue"] is False
    nxt = dt.datetime.fromisoformat(lt["next_run"]).astimezone(TZ)
    assert nxt > before and nxt.day == 1 and nxt.month in (1, 4, 7, 10)
    assert (nxt.hour, nxt.minute) == (2, 0)
    assert lt["schedule"] == {
        "cron": "0 2 1 1,4,7,10 *",
        "timezone": "Asia/Ho_Chi_Minh",
        "paused": False,
        "derived_from_frequency": True,
    }

    kham = rows["co-so-kham-chua-benh"]  # declared cron, never run
    assert kham["last_release"] is None and kham["last_attempt"] is None
    assert kham["overdue"] is True and "never" in kham["overdue_reason"]
    nxt = dt.datetime.fromisoformat(kham["next_run"]).astimezone(TZ)
    assert (nxt.hour, nxt.minute) == (4, 15)
    assert dt.timedelta(0) < nxt - before <= dt.timedelta(days=1)

    text = run("status", root=root, env=env)
    assert "co-so-kham-chua-benh  [OVERDUE]" in text.stdout
    assert "dulieumo publish co-so-kham-chua-benh" in text.stdout


def test_status_shows_a_failed_last_attempt_after_the_last_good_release(published, portal):
    root, env, _work = published
    edit_spec(root, DATASET, lambda d: d["source"].__setitem__("path", "samples/khong-co.csv"))
    try:
        failed = run("publish", DATASET, root=root, env=env)
        assert failed.returncode == 2
        row = _by_name(run("status", DATASET, "--json", root=root, env=env))[DATASET]
    finally:
        edit_spec(
            root,
            DATASET,
            lambda d: d["source"].__setitem__("path", "samples/so-du-lich/co-so-luu-tru.csv"),
        )
    assert row["last_attempt"]["status"] == "failed"
    assert "khong-co.csv" in row["last_attempt"]["reason"]
    assert row["last_release"]["version"] == "1.0.0"  # the last good release stays
    assert row["overdue"] is False


def test_status_shows_a_notification_that_could_not_be_sent(published, portal):
    """SMTP down: the run still completes, and `status` shows the failed notification."""
    import socket

    import yaml

    root, env, _work = published
    portal_file = root / "datasets" / "portal.yaml"
    original = portal_file.read_text(encoding="utf-8")
    data = yaml.safe_load(original)
    org = next(o for o in data["organizations"] if o["name"] == "so-du-lich")
    org["notify"] = {"email": ["luutru.sdl@quangninh.gov.vn"]}
    with socket.socket() as s:  # a port where no SMTP server listens
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    smtp = {
        "DULIEUMO_SMTP_HOST": "127.0.0.1",
        "DULIEUMO_SMTP_PORT": str(closed),
        "DULIEUMO_SMTP_PASSWORD": "mat-khau-bi-mat",
        "DULIEUMO_SMTP_USER": "cong",
        "DULIEUMO_NOTIFY_RETRY_DELAYS": "0",
    }
    portal_file.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    edit_spec(root, DATASET, lambda d: d["source"].__setitem__("path", "samples/khong-co.csv"))
    try:
        failed = run("publish", DATASET, root=root, env={**env, **smtp})
        assert failed.returncode == 2  # the run completed with its own failure
        as_json = run("status", DATASET, "--json", root=root, env=env)
        text = run("status", DATASET, root=root, env=env)
    finally:
        portal_file.write_text(original, encoding="utf-8")
        edit_spec(
            root,
            DATASET,
            lambda d: d["source"].__setitem__("path", "samples/so-du-lich/co-so-luu-tru.csv"),
        )
    sent = _by_name(as_json)[DATASET]["last_attempt"]["notifications"]
    assert [(n["channel"], n["ok"]) for n in sent] == [("email", False)]
    assert "notified:      email: FAILED" in text.stdout
    assert "mat-khau-bi-mat" not in as_json.stdout + text.stdout + failed.stderr


def test_dataset_page_shows_last_and_next_update(published, portal):
    html = httpx.get(f"{portal.url}/dataset/{DATASET}", timeout=30).text
    assert "Cập nhật lần cuối" in html and "Lần cập nhật tiếp theo" in html
    pkg = portal.ckan().action.package_show(id=DATASET)
    extras = {e["key"]: e["value"] for e in pkg["extras"]}
    last = dt.datetime.fromisoformat(extras["dulieumo_last_updated"]).astimezone(TZ)
    nxt = dt.datetime.fromisoformat(extras["dulieumo_next_update"]).astimezone(TZ)
    assert json.loads(extras["dulieumo_schedule"])["cron"] == "0 2 1 1,4,7,10 *"
    section = html[html.index("Cập nhật lần cuối") :]
    shown = re.findall(r"(\d\d:\d\d ngày \d\d/\d\d/\d{4})", section)[:2]
    assert shown == [last.strftime("%H:%M ngày %d/%m/%Y"), nxt.strftime("%H:%M ngày %d/%m/%Y")]
    assert nxt.strftime("%H:%M") == "02:00" and nxt > last


# --------------------------------------------------------------------- pure logic


def _rec(status: str, days_ago: float, now: dt.datetime) -> history.RunRecord:
    at = (now - dt.timedelta(days=days_ago)).isoformat()
    return history.RunRecord("x", "o", status, at, at)


@pytest.mark.parametrize(
    ("frequency", "records", "overdue"),
    [
        ("daily", [("published", 0.5)], False),
        ("daily", [("published", 2)], True),
        ("daily", [("published", 3), ("unchanged", 0.2)], False),  # an unchanged check counts
        ("daily", [("published", 0.5), ("failed", 0.1)], False),
        ("monthly", [("published", 40), ("failed", 1)], True),
        ("monthly", [("published", 20)], False),
        ("irregular", [("published", 900)], False),
        ("weekly", [("invalid", 1)], True),  # never published successfully
    ],
)
def test_overdue_against_the_declared_frequency(frequency, records, overdue):
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    recs = [_rec(s, d, now) for s, d in records]
    got = freshness("x", "o", frequency, Schedule("0 2 * * *", "Asia/Ho_Chi_Minh"), recs, now=now)
    assert got.overdue is overdue, got
    assert got.last_attempt["status"] == records[-1][0]
    assert got.next_run == "2026-12-02T02:00:00+07:00" and got.next_run_source == "schedule"


def test_next_run_from_prefect_wins_and_paused_has_none(tmp_path: Path):
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    got = freshness(
        "x",
        "o",
        "daily",
        Schedule("0 2 * * *", "UTC"),
        [],
        prefect_next="2026-12-02T02:00:00+00:00",
        now=now,
    )
    assert (got.next_run, got.next_run_source) == ("2026-12-02T02:00:00+00:00", "prefect")
    paused = freshness("x", "o", "daily", Schedule("0 2 * * *", "UTC", paused=True), [], now=now)
    assert (paused.next_run, paused.next_run_source) == (None, "paused")
