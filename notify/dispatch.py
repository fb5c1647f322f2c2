"""notify_run: one notice per run, sent on each channel the organisation declared."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from dulieumo.catalog import Catalog
from dulieumo.history import RunRecord

from .email import send_email
from .message import build_notice, is_failure, is_success, nfc
from .settings import SmtpSettings
from .webhook import post_webhook

log = logging.getLogger("dulieumo.notify")


def _logger() -> Any:
    try:
        from prefect import get_run_logger

        return get_run_logger()
    except Exception:  # outside a flow or task run
        return log


def _titles(record: RunRecord, catalog: Catalog) -> tuple[str, str]:
    dataset_title = record.dataset
    try:
        dataset_title = catalog.get(record.dataset).title.vi
    except Exception:  # a broken or removed spec: the name will do
        pass
    org_title = next(
        (o.title for o in catalog.portal.organizations if o.name == record.organization),
        record.organization,
    )
    return nfc(dataset_title), nfc(org_title)


def notify_run(record: RunRecord, catalog: Catalog) -> list[dict[str, Any]]:
    """Notify the record's organisation; what each channel did (empty: nothing to send)."""
    org = next((o for o in catalog.portal.organizations if o.name == record.organization), None)
    spec = org.notify if org is not None else None
    if spec is None:
        return []
    if not (is_failure(record) or (spec.on_success and is_success(record))):
        return []
    dataset_title, org_title = _titles(record, catalog)
    notice = build_notice(record, dataset_title, org_title, catalog.portal.site_title)
    logger = _logger()
    results: list[dict[str, Any]] = []
    if spec.email:
        results.append(send_email(notice, [str(a) for a in spec.email], SmtpSettings.from_env()))
    if spec.webhook:
        results.append(post_webhook(notice, spec.webhook))
    sent_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for res in results:
        res["event"] = notice.event
        res["sent_at"] = sent_at
        where = ", ".join(res.get("to", [])) or res.get("target", "")
        if res["ok"]:
            logger.info(
                "Notified %s (%s) of %s: %s",
                record.organization,
                res["channel"],
                record.dataset,
                where,
            )
        else:
            logger.warning(
                "Notification by %s to %s failed for %s after %d attempt(s): %s",
                res["channel"],
                where,
                record.dataset,
                res["attempts"],
                res.get("error"),
            )
    return results


def send_test(organization: str, catalog: Catalog) -> list[dict[str, Any]]:
    """Send a test notice on every channel of the organisation (to check the set-up)."""
    from dulieumo.errors import SpecError

    from .message import SUBJECT_PREFIX, Notice

    org = next((o for o in catalog.portal.organizations if o.name == organization), None)
    if org is None:
        known = ", ".join(o.name for o in catalog.portal.organizations)
        raise SpecError(
            f"Unknown organisation '{organization}' (known: {known}).",
            hint="Use a name from datasets/portal.yaml.",
        )
    if org.notify is None:
        raise SpecError(
            f"The organisation '{organization}' has no `notify:` key in datasets/portal.yaml.",
            hint="Add e.g. notify: {email: [dulieu@…gov.vn]}, then run `dulieumo catalog check`.",
        )
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    subject = f"{SUBJECT_PREFIX} Thư thử nghiệm thông báo: {org.title}"
    text = (
        f"Kính gửi cán bộ phụ trách dữ liệu của {org.title},\n\n"
        "Đây là thư thử nghiệm: cấu hình thông báo của cơ quan trên "
        f"{catalog.portal.site_title} hoạt động. Khi một lần cập nhật bộ dữ liệu của cơ "
        "quan bị lỗi, thư báo sẽ được gửi tới địa chỉ này.\n\n"
        "Không cần làm gì thêm.\n"
    )
    payload = {
        "schema_version": 1,
        "event": "test",
        "dataset": None,
        "organization": org.name,
        "organization_title": org.title,
        "status": "test",
        "reason": "Thư thử nghiệm cấu hình thông báo.",
        "version": None,
        "report_url": None,
        "dataset_url": None,
        "finished_at": now,
        "summary": subject,
    }
    notice = Notice("test", nfc(subject), nfc(text), payload, f"test-{org.name}-{now}")
    results: list[dict[str, Any]] = []
    if org.notify.email:
        results.append(
            send_email(notice, [str(a) for a in org.notify.email], SmtpSettings.from_env())
        )
    if org.notify.webhook:
        results.append(post_webhook(notice, org.notify.webhook))
    return results
