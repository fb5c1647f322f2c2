"""Retry only what a retry can fix: our TransientError (network, 5xx, timeouts)."""

from __future__ import annotations

import os
from typing import Any

from dulieumo.errors import TransientError

#: backoff between retries of transient failures; DULIEUMO_RETRY_DELAYS="1,2" overrides
RETRY_DELAYS_S = [
    float(x) for x in os.environ.get("DULIEUMO_RETRY_DELAYS", "2,5,15").split(",") if x.strip()
]


def only_transient(task: Any, task_run: Any, state: Any) -> bool:
    exc = getattr(state, "data", None)
    if not isinstance(exc, BaseException):
        try:
            exc = state.result(raise_on_failure=False)
        except Exception:
            return False
    return isinstance(exc, TransientError)
