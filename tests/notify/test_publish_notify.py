"""End to end: `dulieumo publish` of a sample dataset made invalid notifies its organisation
once, and a notification that cannot be delivered never stops the run."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from dulieumo.history import read
from tests.flows.conftest import prefect_server  # noqa: F401  (one Prefect server for the run)
from tests.support.catalog import copy_catalog
from tests.support.cli import run
from tests.support.servers import (
    body_of,
    free_port,
    set_notify,
    smtp_env,
    smtp_server,
    webhook_receiver,
)

DATASET = "co-so-luu-tru"
ORG = "so-du-lich"
TITLE = "Cơ sở lưu trú du lịch tỉnh Quảng Ninh"
SECRET = "Pa55-very-secret"


def break_data(root):
    """Row LT-0002 gets a room count that is not a number."""
    csv = root / "samples" / ORG / f"{DATASET}.csv"
    text = csv.read_text(encoding="utf-8")
    assert ",NHA_NGHI,0,7,193," in text
    csv.write_text(text.replace(",NHA_NGHI,0,7,193,", ",NHA_NGHI,0,bảy,193,", 1), encoding="utf-8")


@pytest.fixture
def root(tmp_path):
    return copy_catalog(tmp_path / "cat")


@pytest.fixture
def work(tmp_path):
    return tmp_path / "work"


def runs(work):
    return list(read(work / "history" / "runs.jsonl"))


def test_published_then_invalid_run_notifies_once_each(portal, root, work):
    portal.reset()
    with smtp_server() as inbox, webhook_receiver() as hook:
        set_notify(
            root,
            ORG,
            {"email": ["luutru.sdl@quangninh.gov.vn"], "webhook": hook.url, "on_success": True},
        )
        env = smtp_env(inbox.port) | {"DULIEUMO_WORK_DIR": str(work)}
        proc = run("publish", DATASET, root=root, env=env)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert len(inbox.envelopes) == 1 and len(hook.requests) == 1
        ok_mail = inbox.messages[0]
        assert ok_mail["Subject"] == f"[Cổng dữ liệu mở] Đã cập nhật: {TITLE} (phiên bản 1.0.0)"
        ok_payload = hook.requests[0]["json"]
        assert ok_payload["event"] == "run.succeeded" and ok_payload["version"] == "1.0.0"
        # the link in the notice is the validation report published on the portal
        report_url = ok_payload["report_url"]
        assert report_url.startswith(portal.url) and report_url in body_of(ok_mail)
        page = httpx.get(report_url, timeout=30)
        assert page.status_code == 200 and "validation-report-v1.0.0.json" in page.text

        break_data(root)
        proc = run("publish", DATASET, root=root, env=env)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "NOT published" in proc.stdout
        assert len(inbox.envelopes) == 2 and len(hook.requests) == 2  # exactly one more each
        mail = inbox.messages[1]
        payload = hook.requests[1]["json"]

    assert mail["Subject"] == f"[Cổng dữ liệu mở] Lỗi cập nhật: {TITLE}"
    body = body_of(mail)
    assert "giá trị sai kiểu dữ liệu (type-error)" in body
    assert "«bảy»" in body and "so_phong" in body
    attached = {a.get_filename() for a in mail.iter_attachments()}
    assert attached == {"bao-cao-kiem-tra.json", "danh-sach-loi.csv"}
    assert list(ok_mail.iter_attachments()) == []  # a success carries no report
    assert payload["event"] == "run.failed" and payload["status"] == "invalid"
    assert payload["report_url"] is None and payload["report_path"]
    assert f"Báo cáo kiểm tra: {payload['report_path']}" in body
    report = json.loads(Path(payload["report_path"]).read_text(encoding="utf-8"))
    assert report["ok"] is False and report["counts"]["type-error"] == 1

    history = runs(work)
    assert [r.status for r in history] == ["published", "invalid"]
    assert [(n["channel"], n["ok"], n["event"]) for n in history[1].notifications] == [
        ("email", True, "run.failed"),
        ("webhook", True, "run.failed"),
    ]
    assert history[0].report_url == report_url
    # the last good release stays live
    assert portal.ckan().action.package_show(id=DATASET)["version"] == "1.0.0"


@pytest.mark.slow
def test_smtp_down_and_webhook_500_do_not_stop_the_run(root, work):
    break_data(root)
    with webhook_receiver([500] * 20) as hook:
        set_notify(root, ORG, {"email": ["luutru.sdl@quangninh.gov.vn"], "webhook": hook.url})
        env = smtp_env(free_port(), DULIEUMO_SMTP_USER="officer", DULIEUMO_SMTP_PASSWORD=SECRET) | {
            "DULIEUMO_WORK_DIR": str(work)
        }
        proc = run("publish", DATASET, "--json", root=root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the run ended normally: invalid
    assert json.loads(proc.stdout)["status"] == "invalid"
    assert len(hook.requests) == 3 and hook.delivered == []  # 1 + 2 retries
    (record,) = runs(work)
    email_res, hook_res = record.notifications
    assert email_res["channel"] == "email" and email_res["ok"] is False
    assert "refused the connection" in email_res["error"]
    assert hook_res["ok"] is False and hook_res["attempts"] == 3
    assert hook_res["http_status"] == 500
    assert "Notification by email" in proc.stderr and "failed" in proc.stderr  # logged
    history_text = (work / "history" / "runs.jsonl").read_text(encoding="utf-8")
    for text in (proc.stdout, proc.stderr, history_text):
        assert SECRET not in text and "secret-path-token" not in text


@pytest.mark.slow
def test_dry_run_notifies_nothing(root, work):
    break_data(root)
    with smtp_server() as inbox, webhook_receiver() as hook:
        set_notify(root, ORG, {"email": ["luutru.sdl@quangninh.gov.vn"], "webhook": hook.url})
        env = smtp_env(inbox.port) | {"DULIEUMO_WORK_DIR": str(work)}
        proc = run("publish", DATASET, "--dry-run", root=root, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert inbox.envelopes == [] and hook.requests == []
    assert runs(work) == []


@pytest.mark.slow
def test_source_down_retried_run_notifies_exactly_once(root, work):
    """The pull is retried (transient), the run fails once, and one notice says so."""
    from tests.support.catalog import edit_spec

    port = free_port()
    edit_spec(
        root,
        DATASET,
        lambda d: d.__setitem__(
            "source",
            {"type": "http", "url": f"http://127.0.0.1:{port}/{DATASET}.csv", "timeout_s": 2},
        ),
    )
    with smtp_server() as inbox, webhook_receiver() as hook:
        set_notify(root, ORG, {"email": ["luutru.sdl@quangninh.gov.vn"], "webhook": hook.url})
        env = smtp_env(inbox.port) | {"DULIEUMO_WORK_DIR": str(work)}
        proc = run("publish", DATASET, root=root, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert len(inbox.envelopes) == 1 and len(hook.requests) == 1
    payload = hook.requests[0]["json"]
    assert payload["status"] == "failed" and payload["error_code"] == "source-unavailable"
    assert payload["reason"].startswith("Máy chủ nguồn của cơ quan tạm thời không phản hồi")
    body = body_of(inbox.messages[0])
    assert "Liên hệ bộ phận công nghệ thông tin của cơ quan" in body
    assert "trước bước kiểm tra" in body  # no report: the run stopped before validation
    (record,) = runs(work)
    assert record.status == "failed" and record.transient is True
    assert [n["ok"] for n in record.notifications] == [True, True]
