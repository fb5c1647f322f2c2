"""A crashed or cancelled run: one record and one notice, however many recorders see it;
the trigger read from the run (schedule, retry, manual)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from prefect.states import Cancelled, Crashed

from dulieumo import history
from flows.crash import on_crash_hook, record_crash, trigger_of
from tests.support.catalog import CORE_DATASETS, copy_catalog
from tests.support.servers import set_notify, webhook_receiver


def _run(**params: Any) -> Any:
    return SimpleNamespace(
        id="3f0c9a52-0000-4000-8000-000000000001",
        parameters=params,
        start_time=dt.datetime(2026, 12, 6, 1, 0, 0, 123, tzinfo=dt.UTC),
        run_count=1,
        auto_scheduled=False,
    )


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = copy_catalog(tmp_path / "catalog", only=CORE_DATASETS)
    monkeypatch.setenv("DULIEUMO_ROOT", str(root))
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.delenv("DULIEUMO_HISTORY_URL", raising=False)
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "0.05")
    return root


def test_trigger_is_read_from_the_run() -> None:
    run = _run()
    assert trigger_of(run) == "manual"  # `prefect deployment run`, the UI
    assert trigger_of(run, "nightly") == "nightly"  # what the CLI said
    run.auto_scheduled = True
    assert trigger_of(run, "manual") == "schedule"  # Prefect's scheduler made it
    run.run_count = 2
    assert trigger_of(run, "manual") == "retry"


def test_a_crash_seen_twice_is_recorded_and_notified_once(catalog: Path) -> None:
    with webhook_receiver() as hook:
        set_notify(catalog, "so-du-lich", {"webhook": hook.url})
        run = _run(dataset="co-so-luu-tru")
        state = Crashed(message="Process exited with status code: -9")
        flow = SimpleNamespace(name="publish-dataset")
        on_crash_hook(flow, run, state)  # the worker's hook …
        assert record_crash(run, state, "publish-dataset") == 0  # … then the automation
        records = list(history.read())
        assert len(records) == 1 and len(hook.delivered) == 1
    rec = records[0]
    assert (rec.dataset, rec.status, rec.error_code) == ("co-so-luu-tru", "failed", "run-crashed")
    assert rec.flow_run_id == run.id and rec.trigger == "manual" and rec.transient is True
    assert rec.started_at == "2026-12-06T01:00:00+00:00"
    assert "status code: -9" in (rec.reason or "")
    assert rec.notifications[0]["ok"] is True
    notice = hook.delivered[0]["json"]
    assert notice["event"] == "run.failed" and notice["run_id"] == run.id
    assert "dừng đột ngột" in notice["reason"]  # Vietnamese, for the data officer


def test_a_cancelled_catalogue_run_records_only_the_datasets_it_had_not_finished(
    catalog: Path,
) -> None:
    run = _run(trigger="nightly")
    history.append(  # one dataset had finished before the cancellation
        history.RunRecord(
            "co-so-giao-duc",
            "so-giao-duc-dao-tao",
            "published",
            "2026-12-06T01:00:00+00:00",
            flow_run_id=run.id,
        )
    )
    assert record_crash(run, Cancelled(message="cancelled by an officer"), "publish-catalog") == 2
    by_dataset = {r.dataset: r for r in history.read() if r.error_code == "run-cancelled"}
    assert set(by_dataset) == set(CORE_DATASETS) - {"co-so-giao-duc"}
    assert all(r.trigger == "nightly" and r.transient is False for r in by_dataset.values())
    line = (Path(history.history_file())).read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(line)["reason"].startswith("The run was cancelled")
