"""The run history: append, read back, torn lines skipped."""

from __future__ import annotations

from pathlib import Path

from dulieumo import history


def test_records_round_trip_in_order(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    history.append(
        history.RunRecord(
            "a",
            "so-y-te",
            "published",
            "2026-11-01T00:00:00+00:00",
            version="1.0.0",
            findings={"type-error": 0},
        ),
        path,
    )
    history.append(
        history.RunRecord(
            "a",
            "so-y-te",
            "failed",
            "2026-11-02T00:00:00+00:00",
            reason="Cổng dữ liệu không phản hồi",
        ),
        path,
    )
    history.append(
        history.RunRecord("b", "so-du-lich", "invalid", "2026-11-02T00:00:00+00:00"), path
    )
    runs = history.latest_by_dataset(path)
    assert [r.status for r in runs["a"]] == ["published", "failed"]
    assert runs["a"][0].version == "1.0.0"
    assert runs["a"][1].reason == "Cổng dữ liệu không phản hồi"
    assert [r.dataset for r in runs["b"]] == ["b"]


def test_torn_and_foreign_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    history.append(history.RunRecord("a", "o", "published", "2026-11-01T00:00:00+00:00"), path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"dataset": "a", "status": "pub')  # a crash mid-write
        fh.write("\n[1, 2]\n")
    history.append(history.RunRecord("a", "o", "unchanged", "2026-11-03T00:00:00+00:00"), path)
    assert [r.status for r in history.read(path)] == ["published", "unchanged"]


def test_missing_file_reads_as_empty(tmp_path: Path) -> None:
    assert list(history.read(tmp_path / "none.jsonl")) == []
