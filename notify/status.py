"""One line about a run's notifications, for `dulieumo status` and other readers of the
run history (``RunRecord.notifications``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def failed_notifications(notifications: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [n for n in notifications if not n.get("ok")]


def notifications_line(notifications: Iterable[dict[str, Any]]) -> str:
    """'email: sent; webhook: FAILED after 3 attempt(s) (… answered HTTP 500)', or ''."""
    parts = []
    for n in notifications:
        channel = str(n.get("channel", "?"))
        if n.get("ok"):
            parts.append(f"{channel}: sent")
        else:
            parts.append(
                f"{channel}: FAILED after {n.get('attempts', 0)} attempt(s) "
                f"({n.get('error', 'unknown error')})"
            )
    return "; ".join(parts)
