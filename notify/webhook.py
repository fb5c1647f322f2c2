"""A generic JSON webhook (httpx): POST the notice's payload, retried with backoff.

5xx, 429, timeouts and connection failures are retried (bounded by
DULIEUMO_NOTIFY_RETRY_DELAYS); other 4xx are not. Each attempt carries the same
``Idempotency-Key`` (the run id) so a receiver can drop a duplicate after a lost answer.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

import httpx

from dulieumo import __version__

from .message import Notice
from .settings import retry_delays, safe_target, timeout_s, webhook_secret


def headers_for(notice: Notice, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": f"dulieumo/{__version__}",
        "X-Dulieumo-Event": notice.event,
        "Idempotency-Key": notice.run_id,
    }
    secret = webhook_secret()
    if secret:
        digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
        headers["X-Dulieumo-Signature"] = f"sha256={digest}"
    return headers


def post_webhook(
    notice: Notice, url: str, sleep: Callable[[float], None] = time.sleep
) -> dict[str, Any]:
    """POST the payload; a result value, never an exception."""
    target = safe_target(url)
    result: dict[str, Any] = {"channel": "webhook", "target": target, "ok": False, "attempts": 0}
    body = notice.body_json()
    headers = headers_for(notice, body)
    delays = retry_delays()
    with httpx.Client(timeout=timeout_s(), follow_redirects=False) as client:
        for attempt in range(len(delays) + 1):
            result["attempts"] = attempt + 1
            retry = False
            try:
                resp = client.post(url, content=body, headers=headers)
            except httpx.TimeoutException:
                result["error"] = f"the webhook {target} did not answer in time"
                retry = True
            except httpx.HTTPError as exc:
                result["error"] = (
                    f"the webhook {target} could not be reached ({type(exc).__name__})"
                )
                retry = True
            else:
                result["http_status"] = resp.status_code
                if resp.is_success:
                    result["ok"] = True
                    result.pop("error", None)
                    return result
                result["error"] = f"the webhook {target} answered HTTP {resp.status_code}"
                retry = resp.status_code >= 500 or resp.status_code == 429
            if not retry or attempt >= len(delays):
                return result
            sleep(delays[attempt])
    return result
