"""The home page's figures: datasets, agencies, releases this month, newest and updated.

Everything is read through CKAN's own actions as the visitor (so a private dataset is never
counted for the public), once per request.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from typing import Any

DEFAULT_TZ = "Asia/Ho_Chi_Minh"
#: how many datasets the home page lists per column
LIST_SIZE = 5
#: datasets read to count this month's releases (a province publishes hundreds, not more)
MAX_SCAN = 1000


def releases_of(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """A dataset's release records (newest first): the top-level field of the dataset
    schema, or the extra the publisher wrote before it."""
    raw: Any = pkg.get("dulieumo_releases")
    if raw is None:
        extras = {e.get("key"): e.get("value") for e in pkg.get("extras") or []}
        raw = extras.get("dulieumo_releases")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    return [r for r in raw or [] if isinstance(r, dict)]


def _parse(value: Any) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def releases_in_month(
    packages: list[dict[str, Any]], now: dt.datetime, tz: zoneinfo.ZoneInfo
) -> int:
    """Releases (rollbacks included) created in the calendar month of `now`, local time."""
    local = now.astimezone(tz)
    count = 0
    for pkg in packages:
        for rel in releases_of(pkg):
            created = _parse(rel.get("created"))
            if created is None:
                continue
            c = created.astimezone(tz)
            if (c.year, c.month) == (local.year, local.month):
                count += 1
    return count


def home_stats(now: dt.datetime | None = None) -> dict[str, Any]:
    """Template helper ``h.dulieumo_home()``: counts and the two dataset lists."""
    from ckan.plugins import toolkit

    def search(**params: Any) -> dict[str, Any]:
        try:
            return dict(toolkit.get_action("package_search")({}, params))
        except Exception:  # the home page shows what it can
            return {"count": 0, "results": []}

    tz_name = toolkit.config.get("ckan.display_timezone") or DEFAULT_TZ
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(DEFAULT_TZ)
    everything = search(rows=MAX_SCAN, include_private=False)
    newest = search(rows=LIST_SIZE, sort="metadata_created desc")
    updated = search(rows=LIST_SIZE, sort="metadata_modified desc")
    try:
        agencies = len(toolkit.get_action("organization_list")({}, {}))
    except Exception:
        agencies = 0
    return {
        "datasets": int(everything.get("count", 0)),
        "agencies": agencies,
        "releases_this_month": releases_in_month(
            everything.get("results", []), now or dt.datetime.now(dt.UTC), tz
        ),
        "month": (now or dt.datetime.now(dt.UTC)).astimezone(tz).strftime("%m/%Y"),
        "newest": newest.get("results", []),
        "updated": updated.get("results", []),
    }
