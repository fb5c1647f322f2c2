"""The run history: append, read back, torn lines skipped."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dulieumo import history
from tests.support.pgdb import scratch_database


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


# ------------------------------------------------------------ the shared store (PostgreSQL)


@pytest.fixture
def shared_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with scratch_database("dulieumo_history_test") as url:
        monkeypatch.setenv("DULIEUMO_HISTORY_URL", url)
        yield url


def test_two_machines_share_one_history(
    shared_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # machine A (its own work folder) records a run …
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "a"))
    history.append(
        history.RunRecord(
            "a", "so-y-te", "published", "2026-11-01T00:00:00+00:00", flow_run_id="r1"
        )
    )
    # … machine B (another folder, nothing shared on disk) records another and sees both
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "b"))
    history.append(
        history.RunRecord(
            "b", "so-du-lich", "failed", "2026-11-02T00:00:00+00:00", reason="Cổng lỗi"
        )
    )
    runs = history.latest_by_dataset()
    assert [(r.dataset, r.status, r.flow_run_id) for r in runs["a"]] == [("a", "published", "r1")]
    assert runs["b"][0].reason == "Cổng lỗi"
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()  # nothing local
    # a file path given explicitly still means that file (tests, exports)
    assert list(history.read(tmp_path / "none.jsonl")) == []


@pytest.mark.parametrize("store", ["file", "postgresql"])
def test_append_once_records_and_notifies_one_crash_once(
    store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path))
    sent: list[str] = []

    def crash(dataset: str) -> history.RunRecord:
        return history.RunRecord(
            dataset, "o", "failed", "2026-11-01T00:00:00+00:00", flow_run_id="run-1"
        )

    def check() -> None:
        assert history.append_once(crash("a"), lambda r: sent.append(r.dataset)) is True
        # the second recorder of the same crash (hook, then automation) adds nothing
        assert history.append_once(crash("a"), lambda r: sent.append(r.dataset)) is False
        assert history.append_once(crash("b"), lambda r: sent.append(r.dataset)) is True
        assert sent == ["a", "b"]
        assert [r.dataset for r in history.read()] == ["a", "b"]

    if store == "file":
        monkeypatch.delenv("DULIEUMO_HISTORY_URL", raising=False)
        check()
        assert (tmp_path / "history" / "runs.jsonl").is_file()
    else:
        with scratch_database("dulieumo_history_once") as url:
            monkeypatch.setenv("DULIEUMO_HISTORY_URL", url)
            check()


def test_unreachable_store_is_a_transient_error_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(
        "DULIEUMO_HISTORY_URL", f"postgresql://dulieumo:s3cret-pw@127.0.0.1:{port}/runs"
    )
    with pytest.raises(history.HistoryUnavailable) as info:
        history.append(history.RunRecord("a", "o", "failed", "2026-11-01T00:00:00+00:00"))
    text = str(info.value) + (info.value.hint or "")
    assert "s3cret-pw" not in text
    assert f"127.0.0.1:{port}/runs" in text and "DULIEUMO_HISTORY_URL" in text
    assert history.describe_store().count("s3cret-pw") == 0
