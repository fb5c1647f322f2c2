"""notify_run against a local SMTP server and a local webhook receiver (no portal needed)."""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata

import pytest

from dulieumo.catalog import load_catalog
from dulieumo.history import RunRecord
from notify import notify_run
from tests.support.catalog import copy_catalog
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
STABLE_KEYS = {
    "event",
    "dataset",
    "organization",
    "status",
    "reason",
    "version",
    "report_url",
    "dataset_url",
    "finished_at",
}


def invalid_record(tmp_path) -> RunRecord:
    report = tmp_path / "validation-report.json"
    report.write_text(
        json.dumps(
            {
                "findings": [
                    {
                        "code": "type-error",
                        "severity": "error",
                        "row": 3,
                        "field": "so_phong",
                        "message": "Giá trị «bảy» ở cột so_phong, dòng 3 không phải số nguyên.",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return RunRecord(
        DATASET,
        ORG,
        "invalid",
        "2026-11-30T19:00:00+00:00",
        finished_at="2026-11-30T19:01:00+00:00",
        reason="validation failed: constraint-required ×1, type-error ×2",
        findings={"type-error": 2, "constraint-required": 1},
        report_path=str(report),
        flow_run_id="run-123",
    )


def published_record() -> RunRecord:
    return RunRecord(
        DATASET,
        ORG,
        "published",
        "2026-11-30T19:00:00+00:00",
        finished_at="2026-11-30T19:02:00+00:00",
        version="1.0.1",
        report_url="http://portal.test/dataset/co-so-luu-tru/resource/r1",
        dataset_url="http://portal.test/dataset/co-so-luu-tru",
    )


@pytest.fixture
def root(tmp_path):
    return copy_catalog(tmp_path / "cat")


def catalog_with(root, notify):
    set_notify(root, ORG, notify)
    return load_catalog(root)


def test_failed_run_sends_one_mail_and_one_webhook_in_vietnamese(root, tmp_path, monkeypatch):
    with smtp_server() as inbox, webhook_receiver() as hook:
        for k, v in smtp_env(inbox.port).items():
            monkeypatch.setenv(k, v)
        catalog = catalog_with(
            root,
            {
                "email": ["luutru.sdl@quangninh.gov.vn", "it.sdl@quangninh.gov.vn"],
                "webhook": hook.url,
            },
        )
        record = invalid_record(tmp_path)
        results = notify_run(record, catalog)
    assert [(r["channel"], r["ok"]) for r in results] == [("email", True), ("webhook", True)]
    assert len(inbox.envelopes) == 1 and len(hook.requests) == 1
    env = inbox.envelopes[0]
    assert sorted(env.rcpt_tos) == ["it.sdl@quangninh.gov.vn", "luutru.sdl@quangninh.gov.vn"]
    msg = inbox.messages[0]
    assert msg["Subject"] == f"[Cổng dữ liệu mở] Lỗi cập nhật: {TITLE}"
    body = body_of(msg)
    assert unicodedata.is_normalized("NFC", body)
    assert "CHƯA được cập nhật" in body
    assert "2 giá trị sai kiểu dữ liệu (type-error)" in body
    assert "1 ô bắt buộc bị để trống (constraint-required)" in body
    assert "Dòng 3, cột so_phong: Giá trị «bảy»" in body  # a finding from the report
    assert f"Báo cáo kiểm tra: {record.report_path}" in body
    assert "Việc cần làm tiếp theo:" in body and f"dulieumo validate {DATASET}" in body
    assert "02:01 (giờ Việt Nam)" in body  # 19:01 UTC is 02:01 in Hà Nội
    assert "Sở Du lịch" in body
    # the report travels with the mail: JSON as written, and the errors as a CSV for Excel
    files = {a.get_filename(): a for a in msg.iter_attachments()}
    assert set(files) == {"bao-cao-kiem-tra.json", "danh-sach-loi.csv"}
    assert json.loads(files["bao-cao-kiem-tra.json"].get_content())["findings"][0]["row"] == 3
    table = files["danh-sach-loi.csv"].get_content()
    table = table.decode("utf-8") if isinstance(table, bytes) else table
    assert table.startswith("\ufeffDòng,Cột,Giá trị,Mã lỗi")
    assert '3,so_phong,,type-error,error,"Giá trị «bảy»' in table
    # the webhook: stable keys, Vietnamese reason, UTF-8 JSON, idempotency key
    req = hook.requests[0]
    payload = req["json"]
    assert payload.keys() >= STABLE_KEYS
    assert payload["event"] == "run.failed" and payload["status"] == "invalid"
    assert payload["dataset"] == DATASET and payload["organization"] == ORG
    assert payload["reason"].startswith("Dữ liệu không đạt kiểm tra chất lượng")
    assert payload["report_path"] == record.report_path and payload["report_url"] is None
    assert req["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert req["headers"]["Idempotency-Key"] == "run-123"
    assert "Lỗi cập nhật".encode() in req["body"]  # raw UTF-8, not \\u escapes
    # the result stored in the history names no secret path of the webhook
    assert "secret-path-token" not in json.dumps(results)


def test_successful_run_notifies_nobody_unless_on_success(root, monkeypatch):
    with smtp_server() as inbox, webhook_receiver() as hook:
        for k, v in smtp_env(inbox.port).items():
            monkeypatch.setenv(k, v)
        catalog = catalog_with(root, {"email": ["a@quangninh.gov.vn"], "webhook": hook.url})
        assert notify_run(published_record(), catalog) == []
        unchanged = published_record()
        unchanged.status = "unchanged"
        assert notify_run(unchanged, catalog) == []
        assert inbox.envelopes == [] and hook.requests == []

        catalog = catalog_with(
            root, {"email": ["a@quangninh.gov.vn"], "webhook": hook.url, "on_success": True}
        )
        results = notify_run(published_record(), catalog)
    assert all(r["ok"] for r in results) and len(results) == 2
    assert (
        inbox.messages[0]["Subject"] == f"[Cổng dữ liệu mở] Đã cập nhật: {TITLE} (phiên bản 1.0.1)"
    )
    assert "http://portal.test/dataset/co-so-luu-tru/resource/r1" in body_of(inbox.messages[0])
    payload = hook.requests[0]["json"]
    assert payload["event"] == "run.succeeded" and payload["version"] == "1.0.1"
    assert payload["report_url"] == "http://portal.test/dataset/co-so-luu-tru/resource/r1"


def test_a_failure_is_never_reported_as_success(root, monkeypatch):
    """A status that is not a success but carries an error is a failure, whatever it is;
    a run skipped because another holds the lock notifies nothing (that one will)."""
    with webhook_receiver() as hook:
        catalog = catalog_with(root, {"webhook": hook.url, "on_success": True})
        odd = RunRecord(
            DATASET,
            ORG,
            "aborted",
            "2026-11-30T19:00:00+00:00",
            error_code="portal-unavailable",
            transient=True,
            reason="The portal at http://x could not be reached",
        )
        assert len(notify_run(odd, catalog)) == 1
        broken_success = published_record()
        broken_success.error_code = "internal-error"
        assert len(notify_run(broken_success, catalog)) == 1
        locked = RunRecord(
            DATASET, ORG, "skipped", "2026-11-30T19:00:00+00:00", error_code="publication-locked"
        )
        assert notify_run(locked, catalog) == []
        planned = RunRecord(DATASET, ORG, "planned", "2026-11-30T19:00:00+00:00")
        assert notify_run(planned, catalog) == []
    assert [r["json"]["event"] for r in hook.requests] == ["run.failed", "run.failed"]
    assert "Cổng dữ liệu mở tạm thời không phản hồi" in hook.requests[0]["json"]["reason"]
    assert hook.requests[1]["json"]["reason"] == "Lỗi ngoài dự kiến của hệ thống dulieumo."


def test_organisation_without_notify_gets_nothing(root, tmp_path):
    assert notify_run(invalid_record(tmp_path), catalog_with(root, None)) == []


def test_webhook_500_is_retried_then_recorded(root, tmp_path, monkeypatch):
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.05,0.1,0.1")
    with webhook_receiver([500] * 10) as hook:
        results = notify_run(invalid_record(tmp_path), catalog_with(root, {"webhook": hook.url}))
    assert len(hook.requests) == 4  # 1 + 3 retries, bounded
    assert hook.delivered == []
    assert len({r["headers"]["Idempotency-Key"] for r in hook.requests}) == 1
    (res,) = results
    assert res["ok"] is False and res["attempts"] == 4 and res["http_status"] == 500
    assert "HTTP 500" in res["error"] and "secret-path-token" not in res["error"]


def test_webhook_500_then_200_is_delivered_once(root, tmp_path, monkeypatch):
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.05,0.05,0.05")
    with webhook_receiver([500, 503]) as hook:
        (res,) = notify_run(invalid_record(tmp_path), catalog_with(root, {"webhook": hook.url}))
    assert [r["answered"] for r in hook.requests] == [500, 503, 200]
    assert len(hook.delivered) == 1
    assert res["ok"] is True and res["attempts"] == 3 and "error" not in res


def test_webhook_4xx_is_not_retried(root, tmp_path, monkeypatch):
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.05,0.05")
    with webhook_receiver([404, 404, 404]) as hook:
        (res,) = notify_run(invalid_record(tmp_path), catalog_with(root, {"webhook": hook.url}))
    assert len(hook.requests) == 1 and res["ok"] is False and res["http_status"] == 404


def test_webhook_unreachable_is_recorded(root, tmp_path, monkeypatch):
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.01")
    url = f"http://127.0.0.1:{free_port()}/hook"
    (res,) = notify_run(invalid_record(tmp_path), catalog_with(root, {"webhook": url}))
    assert res["ok"] is False and res["attempts"] == 2 and "could not be reached" in res["error"]


def test_webhook_signature_when_a_secret_is_set(root, tmp_path, monkeypatch):
    monkeypatch.setenv("DULIEUMO_WEBHOOK_SECRET", "s3cr3t-hook-key")
    with webhook_receiver() as hook:
        notify_run(invalid_record(tmp_path), catalog_with(root, {"webhook": hook.url}))
    req = hook.requests[0]
    expected = hmac.new(b"s3cr3t-hook-key", req["body"], hashlib.sha256).hexdigest()
    assert req["headers"]["X-Dulieumo-Signature"] == f"sha256={expected}"


def test_smtp_down_is_recorded_without_secrets(root, tmp_path, monkeypatch):
    port = free_port()  # nothing listens there
    for k, v in smtp_env(
        port, DULIEUMO_SMTP_USER="officer", DULIEUMO_SMTP_PASSWORD="Pa55-very-secret"
    ).items():
        monkeypatch.setenv(k, v)
    with webhook_receiver() as hook:
        results = notify_run(
            invalid_record(tmp_path),
            catalog_with(root, {"email": ["a@quangninh.gov.vn"], "webhook": hook.url}),
        )
    email_res, hook_res = results
    assert email_res["ok"] is False and email_res["attempts"] == 3  # retried: may pass
    assert f"127.0.0.1:{port} refused the connection" in email_res["error"]
    assert hook_res["ok"] is True  # one channel down does not stop the other
    assert "Pa55-very-secret" not in json.dumps(results)


def test_smtp_login_refused_is_not_retried_and_hides_the_password(root, tmp_path, monkeypatch):
    with smtp_server(require_auth=True) as inbox:
        for k, v in smtp_env(
            inbox.port, DULIEUMO_SMTP_USER="officer", DULIEUMO_SMTP_PASSWORD="Pa55-very-secret"
        ).items():
            monkeypatch.setenv(k, v)
        (res,) = notify_run(
            invalid_record(tmp_path), catalog_with(root, {"email": ["a@quangninh.gov.vn"]})
        )
    assert inbox.envelopes == []
    assert res["ok"] is False and res["attempts"] == 1
    assert "refused the login" in res["error"] and "DULIEUMO_SMTP_PASSWORD" in res["error"]
    assert "Pa55-very-secret" not in json.dumps(res)


def test_email_not_configured_is_recorded(root, tmp_path, monkeypatch):
    monkeypatch.delenv("DULIEUMO_SMTP_HOST", raising=False)
    (res,) = notify_run(
        invalid_record(tmp_path), catalog_with(root, {"email": ["a@quangninh.gov.vn"]})
    )
    assert res["ok"] is False and "DULIEUMO_SMTP_HOST is unset" in res["error"]


def test_notifications_line_for_status(root, tmp_path, monkeypatch):
    from notify.status import failed_notifications, notifications_line

    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.01")
    monkeypatch.delenv("DULIEUMO_SMTP_HOST", raising=False)
    with webhook_receiver([500, 500]) as hook:
        results = notify_run(
            invalid_record(tmp_path),
            catalog_with(root, {"email": ["a@quangninh.gov.vn"], "webhook": hook.url}),
        )
    line = notifications_line(results)
    assert line.startswith("email: FAILED after 0 attempt(s) (e-mail is not configured")
    assert "webhook: FAILED after 2 attempt(s)" in line and "HTTP 500" in line
    assert len(failed_notifications(results)) == 2
    assert notifications_line([{"channel": "email", "ok": True}]) == "email: sent"


@pytest.mark.slow
def test_notify_test_command(root, tmp_path):
    from tests.support.cli import run

    with smtp_server() as inbox, webhook_receiver() as hook:
        set_notify(root, ORG, {"email": ["luutru.sdl@quangninh.gov.vn"], "webhook": hook.url})
        proc = run("notify-test", ORG, root=root, env=smtp_env(inbox.port))
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.strip() == f"{ORG}: email: sent; webhook: sent"
        assert (
            inbox.messages[0]["Subject"] == "[Cổng dữ liệu mở] Thư thử nghiệm thông báo: Sở Du lịch"
        )
        assert hook.requests[0]["json"]["event"] == "test"
    proc = run("notify-test", ORG, root=root, env=smtp_env(free_port()))  # nothing listens
    assert proc.returncode == 1 and "email: FAILED" in proc.stdout
    proc = run("notify-test", "so-y-te", root=root)
    assert proc.returncode == 2 and "no `notify:` key" in proc.stderr


def test_starttls_and_login(root, tmp_path, monkeypatch):
    """The production path: STARTTLS to a server whose certificate comes from the province's
    own CA (DULIEUMO_SMTP_CA_FILE), then a login."""
    from tests.support.servers import self_signed_cert

    cert = self_signed_cert(tmp_path)
    with smtp_server(tls_cert=cert, login=("officer", "Pa55-very-secret")) as inbox:
        for k, v in smtp_env(
            inbox.port, DULIEUMO_SMTP_USER="officer", DULIEUMO_SMTP_PASSWORD="Pa55-very-secret"
        ).items():
            monkeypatch.setenv(k, v)
        catalog = catalog_with(root, {"email": ["a@quangninh.gov.vn"]})
        # without STARTTLS the server refuses to go on
        (res,) = notify_run(invalid_record(tmp_path), catalog)
        assert res["ok"] is False and inbox.envelopes == []
        # STARTTLS, but the certificate is not trusted: a TLS error, not retried
        monkeypatch.setenv("DULIEUMO_SMTP_STARTTLS", "1")
        (res,) = notify_run(invalid_record(tmp_path), catalog)
        assert res["ok"] is False and res["attempts"] == 1 and "TLS" in res["error"]
        assert "DULIEUMO_SMTP_CA_FILE" in res["error"]
        monkeypatch.setenv("DULIEUMO_SMTP_CA_FILE", str(cert[0]))
        (res,) = notify_run(invalid_record(tmp_path), catalog)
    assert res["ok"] is True, res
    assert len(inbox.envelopes) == 1
    assert inbox.messages[0]["Subject"].startswith("[Cổng dữ liệu mở] Lỗi cập nhật")
