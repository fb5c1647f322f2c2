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
    org_title = next((o.title for o in catalog.portal.organizations
                      if o.name == record.organization), record.organization)
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
        results.append(send_email(notice, [str(a) for a in spec.email],
                                  SmtpSettings.from_env()))
    if spec.webhook:
        results.append(post_webhook(notice, spec.webhook))
    sent_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    for res in results:
        res["event"] = notice.event
        res["sent_at"] = sent_at
        where = ", ".join(res.get("to", [])) or res.get("target", "")
        if res["ok"]:
            logger.info("Notified %s (%s) of %s: %s", record.organization, res["channel"],
                        record.dataset, where)
        else:
            logger.warning("Notification by %s to %s failed for %s after %d attempt(s): %s",
                           res["channel"], where, record.dataset, res["attempts"],
                           res.get("error"))
    return results
