"""What a notification says: one Notice per run, rendered as an e-mail and a webhook body.

The webhook body is a stable JSON document (``schema_version`` 1); the keys ``event,
dataset, organization, status, reason, version, report_url, dataset_url, finished_at`` are
the contract, the others are additions a receiver may ignore.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulieumo.history import RunRecord
from dulieumo.redact import mask_data, mask_text
from dulieumo.runstatus import RunStatus

from .reasons import STATUS_VI, finding_phrase, reason_and_next_step

SUBJECT_PREFIX = "[Cổng dữ liệu mở]"
FAILURE_STATUSES = (RunStatus.FAILED, RunStatus.INVALID)
SUCCESS_STATUSES = (RunStatus.PUBLISHED, RunStatus.UNCHANGED)
VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")  # Việt Nam: UTC+7, no daylight saving
SAMPLE_FINDINGS = 5


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


#: statuses that are neither: nothing to tell (a dry run; a run skipped because another run
#: of the same dataset holds the publication lock — that run notifies its own outcome)
QUIET_STATUSES = (RunStatus.SKIPPED, RunStatus.PLANNED)


def is_failure(record: RunRecord) -> bool:
    """A run that did not publish what it should have. Never reported as a success."""
    return record.status in FAILURE_STATUSES or (
        record.status not in QUIET_STATUSES and bool(record.error_code)
    )


def is_success(record: RunRecord) -> bool:
    return record.status in SUCCESS_STATUSES and not record.error_code


def local_time(iso: str) -> str:
    """'2026-11-30T19:05:00+00:00' → '01/12/2026 02:05 (giờ Việt Nam)'."""
    try:
        moment = dt.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return iso or "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") + " (giờ Việt Nam)"


@dataclass
class Notice:
    """One run, told to people (subject, text) and to programs (payload)."""

    event: str  # run.failed | run.succeeded
    subject: str
    text: str
    payload: dict[str, Any] = field(default_factory=dict)
    run_id: str = ""
    #: files for the e-mail: (filename, MIME type, bytes) — the validation report and its
    #: errors as a CSV that opens in Excel
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)

    def body_json(self) -> bytes:
        return nfc(json.dumps(self.payload, ensure_ascii=False, sort_keys=True)).encode("utf-8")


def run_id(record: RunRecord) -> str:
    """A stable identifier of the run (the idempotency key of the webhook)."""
    if record.flow_run_id:
        return record.flow_run_id
    raw = f"{record.dataset}|{record.started_at}|{record.finished_at}|{record.status}"
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def report_link(record: RunRecord) -> str | None:
    """The published validation report if any, else the local report file."""
    return record.report_url or record.report_path


def sample_findings(report_path: str | None, limit: int = SAMPLE_FINDINGS) -> list[str]:
    """A few findings of the local report, as 'Dòng 3, cột so_giuong: …' lines."""
    if not report_path:
        return []
    try:
        data = json.loads(Path(report_path).read_text(encoding="utf-8"))
        items = [f for f in data.get("findings", []) if f.get("severity", "error") == "error"]
    except (OSError, ValueError, AttributeError):
        return []
    lines = []
    for item in items[:limit]:
        where = ", ".join(
            x
            for x in (
                f"dòng {item['row']}" if item.get("row") else "",
                f"cột {item['field']}" if item.get("field") else "",
            )
            if x
        )
        msg = str(item.get("message") or finding_phrase(str(item.get("code"))))
        lines.append(f"{where[:1].upper()}{where[1:]}: {msg}" if where else msg)
    return lines


MAX_ATTACHMENT_BYTES = 2_000_000
CSV_COLUMNS = ("Dòng", "Cột", "Giá trị", "Mã lỗi", "Mức độ", "Mô tả")


def report_attachments(report_path: str | None) -> list[tuple[str, str, bytes]]:
    """The local validation report (JSON) and its findings as a CSV (UTF-8 with BOM, so
    Excel shows Vietnamese correctly); nothing if the report is missing or too large."""
    if not report_path:
        return []
    path = Path(report_path)
    try:
        raw = mask_text(path.read_bytes().decode("utf-8")).encode("utf-8")
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return []
    if len(raw) > MAX_ATTACHMENT_BYTES:
        return []
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for f in data.get("findings", []) if isinstance(data, dict) else []:
        writer.writerow(
            [
                f.get("row") or "",
                f.get("field") or "",
                f.get("value") or "",
                f.get("code") or "",
                f.get("severity") or "",
                f.get("message") or "",
            ]
        )
    table = ("\ufeff" + mask_text(nfc(out.getvalue()))).encode("utf-8")
    return [
        ("bao-cao-kiem-tra.json", "application/json", raw),
        ("danh-sach-loi.csv", "text/csv", table),
    ]


def build_notice(
    record: RunRecord, dataset_title: str, org_title: str, site_title: str = "Cổng dữ liệu mở"
) -> Notice:
    failure = is_failure(record)
    link = report_link(record)
    status_vi = STATUS_VI.get(record.status, record.status)
    when = local_time(record.finished_at or record.started_at)
    lines: list[str]
    if failure:
        reason, next_step = reason_and_next_step(
            record.status, record.error_code, record.transient, record.findings, record.dataset
        )
        subject = f"{SUBJECT_PREFIX} Lỗi cập nhật: {dataset_title}"
        lines = [
            f"Kính gửi cán bộ phụ trách dữ liệu của {org_title},",
            "",
            f"Bộ dữ liệu «{dataset_title}» ({record.dataset}) CHƯA được cập nhật lên "
            f"{site_title}. Phiên bản đang công bố (nếu có) vẫn giữ nguyên và người dân vẫn "
            "tải được.",
            "",
            f"Trạng thái: {status_vi}",
            f"Lý do: {reason}",
        ]
        examples = sample_findings(record.report_path) if record.status == RunStatus.INVALID else []
        if examples:
            lines.append("Một số lỗi cụ thể:")
            lines += [f"  - {x}" for x in examples]
        lines += [
            f"Thời điểm: {when}",
            f"Báo cáo kiểm tra: {link}"
            if link
            else "Báo cáo kiểm tra: (không có — lỗi xảy ra trước bước kiểm tra)",
            "",
            f"Việc cần làm tiếp theo: {next_step}",
        ]
        if record.reason:
            lines += ["", f"Chi tiết kỹ thuật (cho cán bộ kỹ thuật): {record.reason}"]
    else:
        reason = status_vi
        next_step = "Không cần làm gì thêm."
        version = f" (phiên bản {record.version})" if record.version else ""
        subject = f"{SUBJECT_PREFIX} Đã cập nhật: {dataset_title}{version}"
        lines = [
            f"Kính gửi cán bộ phụ trách dữ liệu của {org_title},",
            "",
            f"Bộ dữ liệu «{dataset_title}» ({record.dataset}): {status_vi}{version}.",
            f"Thời điểm: {when}",
        ]
        if record.dataset_url:
            lines.append(f"Trang bộ dữ liệu: {record.dataset_url}")
        if link:
            lines.append(f"Báo cáo kiểm tra: {link}")
    lines += [
        "",
        f"Mã lần chạy: {run_id(record)}",
        f"Thư này được gửi tự động bởi dulieumo ({site_title}); vui lòng không trả lời.",
    ]
    event = "run.failed" if failure else "run.succeeded"
    payload: dict[str, Any] = {
        "schema_version": 1,
        "event": event,
        "dataset": record.dataset,
        "dataset_title": dataset_title,
        "organization": record.organization,
        "organization_title": org_title,
        "status": record.status,
        "status_vi": status_vi,
        "reason": reason,
        "next_step": next_step,
        "error_code": record.error_code,
        "reason_detail": record.reason,
        "transient": record.transient,
        "findings": dict(record.findings),
        "version": record.version,
        "report_url": record.report_url,
        "report_path": record.report_path,
        "dataset_url": record.dataset_url,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "trigger": record.trigger,
        "run_id": run_id(record),
        "summary": subject,
    }
    payload = mask_data(json.loads(nfc(json.dumps(payload, ensure_ascii=False))))
    attachments = (
        report_attachments(record.report_path) if record.status == RunStatus.INVALID else []
    )
    if attachments:
        lines.insert(
            -3,
            "Đính kèm: báo cáo kiểm tra (bao-cao-kiem-tra.json) và danh sách lỗi "
            "mở được bằng Excel (danh-sach-loi.csv).",
        )
    return Notice(
        event,
        mask_text(nfc(subject)),
        mask_text(nfc("\n".join(lines) + "\n")),
        payload,
        run_id(record),
        attachments,
    )
