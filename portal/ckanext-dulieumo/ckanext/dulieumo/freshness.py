"""Template helper for the dataset page: "Cập nhật lần cuối" and "Lần cập nhật tiếp theo".

The publisher writes, with every release, the extras ``dulieumo_last_updated`` (UTC ISO time
of the release), ``dulieumo_next_update`` (the next scheduled run then) and
``dulieumo_schedule`` (``{"cron": ..., "timezone": ...}``). Publishing unchanged data writes
nothing, so a stored next update may be in the past by the time a page is read: it is then
moved on along the cron schedule (croniter ships with CKAN).
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def _parse(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _vi(moment: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return local.strftime("%H:%M ngày %d/%m/%Y")


def freshness(pkg: dict[str, Any], now: dt.datetime | None = None) -> dict[str, Any] | None:
    """``{"last_updated", "next_update", "timezone", ...}`` for the page, or None."""
    extras = {e.get("key"): e.get("value") for e in (pkg or {}).get("extras", []) or []}
    last = _parse(extras.get("dulieumo_last_updated"))
    nxt = _parse(extras.get("dulieumo_next_update"))
    if last is None and nxt is None:
        return None
    try:
        schedule = json.loads(extras.get("dulieumo_schedule") or "{}")
    except ValueError:
        schedule = {}
    try:
        tz = zoneinfo.ZoneInfo(schedule.get("timezone") or DEFAULT_TZ)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(DEFAULT_TZ)
    now = now or dt.datetime.now(dt.UTC)
    paused = bool(schedule.get("paused"))
    if nxt is not None and nxt < now and schedule.get("cron") and not paused:
        try:
            from croniter import croniter

            nxt = croniter(schedule["cron"], now.astimezone(tz)).get_next(dt.datetime)
        except Exception:  # an unreadable cron: show what was stored
            pass
    return {
        "last_updated": _vi(last, tz) if last else "—",
        "last_updated_iso": last.isoformat() if last else "",
        "next_update": "tạm dừng" if paused else (_vi(nxt, tz) if nxt else "—"),
        "next_update_iso": "" if paused or not nxt else nxt.isoformat(),
        "timezone": str(tz.key),
    }
