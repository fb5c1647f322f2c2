"""Retry only what a retry can fix: our TransientError (network, 5xx, timeouts)."""

from __future__ import annotations

from typing import Any

from dulieumo.errors import TransientError
from dulieumo.settings import settings

#: backoff between retries of transient failures; DULIEUMO_RETRY_DELAYS="1,2" overrides
RETRY_DELAYS_S = list(settings().retry_delays)


def only_transient(task: Any, task_run: Any, state: Any) -> bool:
    exc = getattr(state, "data", None)
    if not isinstance(exc, BaseException):
        try:
            exc = state.result(raise_on_failure=False)
        except Exception:
            return False
    return isinstance(exc, TransientError)
