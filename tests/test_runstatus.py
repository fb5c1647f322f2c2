"""RunStatus: one enum for every run outcome, equal to the strings stored since the start."""

from __future__ import annotations

import json
from pathlib import Path

from dulieumo import history
from dulieumo.runstatus import RunStatus, SummaryGroup, validation_failed_reason


def test_values_are_the_stored_strings() -> None:
    assert [str(s) for s in RunStatus] == [
        "published",
        "unchanged",
        "invalid",
        "failed",
        "skipped",
        "planned",
    ]
    assert tuple(RunStatus) == history.STATUSES
    assert json.dumps({RunStatus.INVALID: RunStatus.FAILED}) == '{"invalid": "failed"}'


def test_history_written_before_the_enum_reads_as_enum(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        '{"dataset": "a", "organization": "so-y-te", "status": "unchanged",'
        ' "started_at": "2026-11-01T00:00:00+00:00"}\n'
        '{"dataset": "a", "organization": "so-y-te", "status": "exploded",'
        ' "started_at": "2026-11-02T00:00:00+00:00"}\n',
        encoding="utf-8",
    )
    records = list(history.read(path))
    assert len(records) == 1  # a status no run ends with is not a run record
    assert records[0].status is RunStatus.UNCHANGED
    history.append(records[0], path)
    assert '"status": "unchanged"' in path.read_text(encoding="utf-8").splitlines()[-1]


def test_groups_and_release_actions() -> None:
    assert RunStatus.PLANNED.group is SummaryGroup.UNCHANGED
    assert RunStatus.INVALID.group is SummaryGroup.FAILED
    assert {s.group for s in RunStatus} == set(SummaryGroup)
    assert RunStatus.of_release("created") is RunStatus.PUBLISHED
    assert RunStatus.of_release("released") is RunStatus.PUBLISHED
    assert RunStatus.of_release("unchanged") is RunStatus.UNCHANGED
    assert RunStatus.of_release("planned") is RunStatus.PLANNED
    assert RunStatus.INVALID.failed and RunStatus.UNCHANGED.succeeded and RunStatus.SKIPPED.quiet


def test_one_reason_for_an_invalid_run() -> None:
    reason = validation_failed_reason({"type-error": 3, "missing-value": 1})
    assert reason == "validation failed: missing-value ×1, type-error ×3"
