"""A synthetic run history for November 2026 whose indicators are worked out by hand."""

from __future__ import annotations

from dulieumo.history import RunRecord

ORG_A, ORG_B, ORG_C, ORG_D = "so-y-te", "so-du-lich", "so-giao-duc-dao-tao", "so-ke-hoach-dau-tu"


def rec(dataset, org, status, when, **kw) -> RunRecord:
    return RunRecord(dataset, org, status, when, finished_at=when, **kw)


def november_history() -> list[RunRecord]:
    runs = [rec("d1", ORG_A, "published", "2026-10-31T02:00:00+07:00")]
    # d1 (daily): every day of November → on time; 1 published + 29 unchanged
    runs.append(rec("d1", ORG_A, "published", "2026-11-01T02:00:00+07:00", report_path="r"))
    runs += [
        rec("d1", ORG_A, "unchanged", f"2026-11-{day:02d}T02:00:00+07:00") for day in range(2, 31)
    ]
    # d2 (monthly): 10 Oct, then invalid on 20 Nov, published 25 Nov → a 46-day gap: late
    runs.append(rec("d2", ORG_A, "published", "2026-10-10T02:00:00+07:00"))
    runs.append(
        rec(
            "d2",
            ORG_A,
            "invalid",
            "2026-11-20T02:00:00+07:00",
            findings={"type-error": 3},
            report_path="r",
            notifications=[{"channel": "email", "ok": True}, {"channel": "webhook", "ok": False}],
        )
    )
    runs.append(rec("d2", ORG_A, "published", "2026-11-25T02:00:00+07:00"))
    runs.append(rec("d2", ORG_A, "published", "2026-12-02T02:00:00+07:00"))  # after the period
    # d3 (quarterly): 15 Sep only → 77 days at the period's end: on time
    runs.append(rec("d3", ORG_B, "published", "2026-09-15T02:00:00+07:00"))
    # d4 (irregular): published, then a portal failure after validation passed
    runs.append(rec("d4", ORG_B, "published", "2026-11-05T02:00:00+07:00"))
    runs.append(
        rec(
            "d4",
            ORG_B,
            "failed",
            "2026-11-06T02:00:00+07:00",
            error_code="portal-unavailable",
            report_path="r",
        )
    )
    # d5 (weekly): never published: a source error (before validation), then invalid
    runs.append(rec("d5", ORG_C, "failed", "2026-11-03T02:00:00+07:00", error_code="source-error"))
    runs.append(
        rec(
            "d5",
            ORG_C,
            "invalid",
            "2026-11-10T02:00:00+07:00",
            findings={"constraint-required": 2},
            report_path="r",
            notifications=[{"channel": "email", "ok": False}],
        )
    )
    return runs
