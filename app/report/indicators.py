"""The leadership indicators (KPI) of one period, from the run history, the catalogue and the
portal. Pure logic: the inputs are values, so the numbers can be checked by hand.

- **agencies_publishing**: organisations of datasets/portal.yaml with at least one dataset
  released by the end of the period (run history), or public on the portal now.
- **datasets_per_agency**: datasets released by the end of the period / organisations.
- **on_time_rate**: datasets with a regular frequency that were never overdue in the period:
  every gap between successful runs (published or unchanged — the data was checked and is
  current), from the last one before the period to the period's end (or now), is at most
  the frequency's interval plus one day of grace. A dataset never released is late.
- **validation_pass_rate**: runs finished in the period that passed validation (published,
  unchanged, or failed after validation) / runs that reached validation (those + invalid).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from dulieumo.catalog.models import FREQUENCY_VI
from dulieumo.history import RunRecord
from dulieumo.runstatus import RunStatus

from .period import Period, parse_time

SUCCESS = (RunStatus.PUBLISHED, RunStatus.UNCHANGED)
INTERVAL_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92, "yearly": 366}
GRACE = dt.timedelta(days=1)

LABELS_VI = {
    "agencies_publishing": "Tỷ lệ cơ quan công bố dữ liệu mở",
    "datasets_per_agency": "Số bộ dữ liệu bình quân mỗi cơ quan",
    "on_time_rate": "Tỷ lệ bộ dữ liệu cập nhật đúng hạn",
    "validation_pass_rate": "Tỷ lệ lần cập nhật đạt kiểm tra chất lượng",
}


@dataclass(frozen=True)
class Agency:
    name: str
    title: str


@dataclass(frozen=True)
class DeclaredDataset:
    name: str
    organization: str
    title: str
    frequency: str | None  # None: the spec could not be read


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _indicator(key: str, num: float, den: float, unit: str = "percent") -> dict[str, Any]:
    return {
        "label": LABELS_VI[key],
        "value": _ratio(num, den),
        "numerator": num,
        "denominator": den,
        "unit": unit,
    }


def on_time(
    successes: list[dt.datetime], frequency: str | None, period: Period, now: dt.datetime
) -> bool | None:
    """Was the dataset never overdue during the period? None: not applicable."""
    if frequency not in INTERVAL_DAYS:
        return None
    horizon = min(period.end, now)
    if horizon <= period.start:
        return None  # a period in the future
    allowed = dt.timedelta(days=INTERVAL_DAYS[frequency]) + GRACE
    before = [t for t in successes if t <= period.start]
    inside = sorted(t for t in successes if period.start < t < horizon)
    if not before and not inside:
        return False  # never released
    prev = max(before) if before else period.start
    for moment in inside:
        if moment - prev > allowed:
            return False
        prev = moment
    return horizon - prev <= allowed


def compute(
    period: Period,
    agencies: list[Agency],
    datasets: list[DeclaredDataset],
    records: Iterable[RunRecord],
    portal_counts: Mapping[str, int] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    now = now or dt.datetime.now(dt.UTC)
    by_dataset: dict[str, list[RunRecord]] = {}
    org_of: dict[str, str] = {d.name: d.organization for d in datasets}
    for rec in records:
        by_dataset.setdefault(rec.dataset, []).append(rec)
        org_of.setdefault(rec.dataset, rec.organization)

    released_by_end: set[str] = set()  # datasets with a success before the period's end
    runs_by_status: Counter[str] = Counter()
    failures: Counter[str] = Counter()
    findings: Counter[str] = Counter()
    notif = Counter[str]()
    per_org: dict[str, Counter[str]] = {a.name: Counter() for a in agencies}
    dataset_rows: list[dict[str, Any]] = []
    titles = {d.name: d for d in datasets}
    names = sorted(set(titles) | set(by_dataset))
    for name in names:
        recs = by_dataset.get(name, [])
        successes = []
        stats: Counter[str] = Counter()
        last_success = None
        for rec in recs:
            finished = parse_time(rec.finished_at) or parse_time(rec.started_at)
            if finished is None:
                continue
            if rec.status in SUCCESS and finished < period.end:
                successes.append(finished)
                released_by_end.add(name)
                last_success = max(last_success or finished, finished)
            if not period.contains(finished):
                continue
            stats[rec.status] += 1
            runs_by_status[rec.status] += 1
            if rec.status in SUCCESS or (rec.status == RunStatus.FAILED and rec.report_path):
                stats["validation_passed"] += 1
            elif rec.status == RunStatus.INVALID:
                stats["validation_failed"] += 1
                findings.update(rec.findings)
            if rec.status in (RunStatus.FAILED, RunStatus.INVALID):
                failures[
                    rec.error_code
                    or ("validation-failed" if rec.status == RunStatus.INVALID else "unknown")
                ] += 1
            for n in rec.notifications:
                notif["delivered" if n.get("ok") else "failed"] += 1
        declared = titles.get(name)
        frequency = declared.frequency if declared else None
        timely = on_time(successes, frequency, period, now) if declared else None
        org = org_of.get(name, "")
        row: dict[str, Any] = {
            "dataset": name,
            "organization": org,
            "title": declared.title if declared else name,
            "declared": declared is not None,
            "frequency": frequency,
            "frequency_vi": FREQUENCY_VI.get(frequency or "", "—"),
            "on_time": timely,
            "last_success": last_success.isoformat() if last_success else None,
            "released": name in released_by_end,
            "runs": sum(v for k, v in stats.items() if not k.startswith("validation_")),
            "validation_passed": stats["validation_passed"],
            "validation_failed": stats["validation_failed"],
        }
        dataset_rows.append(row)
        if org in per_org:
            c = per_org[org]
            c["declared"] += int(declared is not None)
            c["released"] += int(row["released"])
            c["runs"] += row["runs"]
            c["validation_passed"] += row["validation_passed"]
            c["validation_failed"] += row["validation_failed"]
            if timely is not None:
                c["regular"] += 1
                c["on_time"] += int(timely)

    agency_rows: list[dict[str, Any]] = []
    for a in agencies:
        c = per_org[a.name]
        on_portal = portal_counts.get(a.name, 0) if portal_counts is not None else None
        publishing = c["released"] > 0 or bool(on_portal)
        checked = c["validation_passed"] + c["validation_failed"]
        agency_rows.append(
            {
                "organization": a.name,
                "title": a.title,
                "publishing": publishing,
                "declared": c["declared"],
                "released": c["released"],
                "on_portal": on_portal,
                "runs": c["runs"],
                "validation_passed": c["validation_passed"],
                "validation_failed": c["validation_failed"],
                "validation_pass_rate": _ratio(c["validation_passed"], checked),
                "regular": c["regular"],
                "on_time": c["on_time"],
                "on_time_rate": _ratio(c["on_time"], c["regular"]),
            }
        )

    regular = [r for r in dataset_rows if r["on_time"] is not None]
    passed = sum(r["validation_passed"] for r in dataset_rows)
    failed = sum(r["validation_failed"] for r in dataset_rows)
    released = sum(a["released"] for a in agency_rows)
    return {
        "period": period.key,
        "period_label": period.label_vi,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "generated_at": now.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "indicators": {
            "agencies_publishing": _indicator(
                "agencies_publishing", sum(a["publishing"] for a in agency_rows), len(agency_rows)
            ),
            "datasets_per_agency": _indicator(
                "datasets_per_agency", released, len(agency_rows), unit="datasets"
            ),
            "on_time_rate": _indicator(
                "on_time_rate", sum(bool(r["on_time"]) for r in regular), len(regular)
            ),
            "validation_pass_rate": _indicator("validation_pass_rate", passed, passed + failed),
        },
        "agencies": agency_rows,
        "datasets": dataset_rows,
        "runs": {"total": sum(runs_by_status.values()), "by_status": dict(runs_by_status)},
        "failures_by_code": dict(failures.most_common()),
        "top_findings": dict(findings.most_common(10)),
        "notifications": {"delivered": notif["delivered"], "failed": notif["failed"]},
    }
