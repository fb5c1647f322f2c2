"""Freshness of each dataset: last release, last attempt, next run, overdue.

Sources, most authoritative first: the portal (the latest release in the dataset's
``dulieumo_releases`` field), the run history (``history/runs.jsonl``: every attempt), the
Prefect API (the next scheduled flow run of the dataset's deployment), and the schedule in
the spec (the next fire time, when Prefect has none to tell).

A dataset is **overdue** when its last successful run (published, or unchanged: the portal
was confirmed to match the source) is older than its declared frequency allows
(``dulieumo.catalog.schedule.MAX_AGE``: the period plus a grace), or when it has never been
published. Irregular datasets are overdue only while never published.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any

from dulieumo import history
from dulieumo.catalog.schedule import Schedule, max_age
from dulieumo.runstatus import RunStatus

SUCCESS = (RunStatus.PUBLISHED, RunStatus.UNCHANGED)


def parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def latest_release(package: dict[str, Any] | None) -> dict[str, Any] | None:
    """The newest release recorded on the portal for a package_show result."""
    if not package:
        return None
    # the dataset schema's field (a list); a portal without the schema: the extra's JSON
    releases = package.get("dulieumo_releases")
    if releases is None:
        extras = {e["key"]: e["value"] for e in package.get("extras", [])}
        try:
            releases = json.loads(extras.get("dulieumo_releases") or "[]")
        except ValueError:
            return None
    if not isinstance(releases, list) or not releases:
        return None
    newest = max(releases, key=lambda r: str(r.get("created", "")))
    return {
        "version": newest.get("version"),
        "at": newest.get("created"),
        "rows": newest.get("rows"),
    }


@dataclass
class Freshness:
    dataset: str
    organization: str
    frequency: str
    schedule: dict[str, Any]
    last_release: dict[str, Any] | None
    last_success_at: str | None
    last_attempt: dict[str, Any] | None
    next_run: str | None
    next_run_source: str  # prefect | schedule | paused
    overdue: bool
    overdue_reason: str | None
    portal_checked: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def freshness(
    name: str,
    organization: str,
    frequency: str,
    schedule: Schedule,
    records: list[history.RunRecord],
    *,
    package: dict[str, Any] | None = None,
    portal_checked: bool = False,
    prefect_next: str | None = None,
    now: dt.datetime | None = None,
) -> Freshness:
    now = now or dt.datetime.now(dt.UTC)
    release = latest_release(package)
    published = [r for r in records if r.status == RunStatus.PUBLISHED]
    if release is None and published:
        last = published[-1]
        release = {"version": last.version, "at": last.finished_at or last.started_at, "rows": None}
    successes = [parse_time(r.finished_at or r.started_at) for r in records if r.status in SUCCESS]
    candidates = [t for t in [*successes, parse_time(release["at"] if release else None)] if t]
    last_success = max(candidates) if candidates else None
    attempt = None
    if records:
        r = records[-1]
        attempt = {
            "status": r.status,
            "at": r.finished_at or r.started_at,
            "reason": r.reason,
            "trigger": r.trigger,
            "error_code": r.error_code,
            "version": r.version,
            "report_path": r.report_path,
            "notifications": list(r.notifications),
        }
    if schedule.paused:
        next_run, source = None, "paused"
    elif prefect_next:
        next_run, source = prefect_next, "prefect"
    else:
        next_run, source = schedule.next_run(now).isoformat(), "schedule"
    limit = max_age(frequency)
    overdue, why = False, None
    if last_success is None:
        overdue, why = True, "never published successfully"
    elif limit is not None and now - last_success > limit:
        overdue = True
        days = (now - last_success).total_seconds() / 86400
        why = (
            f"last successful run {days:.1f} days ago; a {frequency} dataset allows "
            f"{limit.total_seconds() / 86400:.1f}"
        )
    return Freshness(
        name,
        organization,
        frequency,
        schedule.to_dict(),
        release,
        last_success.isoformat() if last_success else None,
        attempt,
        next_run,
        source,
        overdue,
        why,
        portal_checked,
    )
