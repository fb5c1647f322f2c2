"""Run history: one JSON line per attempt to publish a dataset.

Written at the end of every run (published, unchanged, invalid, failed, skipped, planned) to
``<work root>/history/runs.jsonl``. `dulieumo status` (freshness), notifications and the
leadership report read it. Appending a line is atomic enough for one machine: each record is
written with a single ``write`` on a file opened in append mode, under an advisory lock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dulieumo.paths import work_root
from dulieumo.redact import mask_data
from dulieumo.runstatus import RunStatus

#: the statuses a run ends with (stored as their string values)
STATUSES = tuple(RunStatus)


def history_file() -> Path:
    return work_root() / "history" / "runs.jsonl"


def now_utc() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class RunRecord:
    """One attempt to publish one dataset."""

    dataset: str
    organization: str
    status: RunStatus
    started_at: str  # UTC ISO-8601
    finished_at: str = ""
    version: str | None = None
    reason: str | None = None  # why it failed / was skipped (English or Vietnamese message)
    error_code: str | None = None  # DulieumoError.code
    transient: bool | None = None
    findings: dict[str, int] = field(default_factory=dict)
    report_path: str | None = None
    report_url: str | None = None
    dataset_url: str | None = None
    flow_run_id: str | None = None
    trigger: str = "manual"  # manual | schedule | nightly
    #: what each notification channel did: {"channel": "email", "ok": false, "error": "..."}
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        if not isinstance(data, dict):
            raise TypeError("not a run record")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["status"] = RunStatus(str(known.get("status")))  # ValueError: not a run record
        return cls(**known)


def append(record: RunRecord, path: Path | None = None) -> None:
    target = path or history_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(mask_data(record.to_dict()), ensure_ascii=False, default=str) + "\n"
    with target.open("a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read(path: Path | None = None) -> Iterator[RunRecord]:
    """Every record, oldest first; a torn or foreign line is skipped, not fatal."""
    source = path or history_file()
    if not source.is_file():
        return
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                yield RunRecord.from_dict(json.loads(line))
            except (ValueError, TypeError):
                continue


def latest_by_dataset(path: Path | None = None) -> dict[str, list[RunRecord]]:
    """Records grouped by dataset, oldest first within each."""
    out: dict[str, list[RunRecord]] = {}
    for rec in read(path):
        out.setdefault(rec.dataset, []).append(rec)
    return out
