"""Publish all: fan-out under a concurrency limit, failures isolated, a summary with reasons."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

from tests.support.catalog import CORE_DATASETS, copy_catalog, edit_spec, spec_file
from tests.support.cli import json_out, run


def _history(work: Path) -> list[dict]:
    path = work / "history" / "runs.jsonl"
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x]


def _max_overlap(datasets: list[dict]) -> int:
    events = sorted(
        [(d["started"], 1) for d in datasets] + [(d["finished"], -1) for d in datasets],
        key=lambda e: (e[0], e[1]),
    )
    now = peak = 0
    for _, step in events:
        now += step
        peak = max(peak, now)
    return peak


def test_one_failing_dataset_never_stops_the_others(portal, tmp_path):
    portal.reset()
    root = copy_catalog(tmp_path / "catalog", only=CORE_DATASETS)
    # a fourth dataset: a copy of co-so-luu-tru whose source file is missing
    broken = spec_file(root, "co-so-luu-tru").with_name("co-so-luu-tru-thieu-tep.yaml")
    shutil.copy(spec_file(root, "co-so-luu-tru"), broken)
    edit_spec(
        root,
        "co-so-luu-tru-thieu-tep",
        lambda d: d["source"].__setitem__("path", "samples/khong-co.csv"),
    )
    edit_spec(
        root, "co-so-kham-chua-benh", lambda d: d.__setitem__("schedule", {"cron": "0 2 * * 8"})
    )  # a bad spec
    edit_spec(root, "co-so-giao-duc", lambda d: d.__setitem__("schedule", {"paused": True}))
    work = tmp_path / "work"
    proc = run(
        "publish",
        "--all",
        "--json",
        root=root,
        env={"DULIEUMO_WORK_DIR": str(work), "DULIEUMO_MAX_PARALLEL": "2"},
    )
    assert proc.returncode == 1, proc.stderr[-3000:]  # something failed
    summary = json_out(proc)
    assert summary["counts"] == {"published": 1, "unchanged": 0, "failed": 2, "skipped": 1}
    assert summary["max_parallel"] == 2 and summary["ok"] is False
    rows = {d["dataset"]: d for d in summary["datasets"]}
    assert rows["co-so-luu-tru"]["status"] == "published"
    assert rows["co-so-luu-tru"]["version"] == "1.0.0"
    bad_spec = rows["co-so-kham-chua-benh"]
    assert bad_spec["status"] == "failed" and bad_spec["error_code"] == "spec-error"
    assert "datasets/so-y-te/co-so-kham-chua-benh.yaml" in bad_spec["reason"]
    assert "schedule.cron" in bad_spec["reason"]
    missing = rows["co-so-luu-tru-thieu-tep"]
    assert missing["status"] == "failed" and "khong-co.csv" in missing["reason"]
    assert missing["transient"] is False
    skipped = rows["co-so-giao-duc"]
    assert skipped["status"] == "skipped" and "paused" in skipped["reason"]

    # the published one is really on the portal; the failing ones left nothing
    ckan = portal.ckan("sysadmin")
    assert ckan.action.package_show(id="co-so-luu-tru")["version"] == "1.0.0"
    assert "co-so-luu-tru-thieu-tep" not in ckan.action.package_list()
    assert "co-so-giao-duc" not in ckan.action.package_list()

    # one history record per dataset, the bad spec included (with its organisation)
    recs = {r["dataset"]: r for r in _history(work)}
    assert len(_history(work)) == 4
    assert recs["co-so-kham-chua-benh"]["status"] == "failed"
    assert recs["co-so-kham-chua-benh"]["error_code"] == "spec-error"
    assert recs["co-so-kham-chua-benh"]["organization"] == "so-y-te"
    assert recs["co-so-luu-tru"]["status"] == "published"
    assert recs["co-so-luu-tru-thieu-tep"]["status"] == "failed"
    assert recs["co-so-giao-duc"]["status"] == "skipped"

    # the human summary says the same, with reasons
    text = run("publish", "--all", root=root, env={"DULIEUMO_WORK_DIR": str(work)})
    assert text.returncode == 1
    assert "Summary: 0 published, 1 unchanged, 2 failed, 1 skipped" in text.stdout
    assert "reason: " in text.stdout and "khong-co.csv" in text.stdout

    # and the Prefect artifact of the run holds the Vietnamese summary
    api = os.environ["PREFECT_API_URL"].rstrip("/")
    arts = httpx.post(
        f"{api}/artifacts/filter",
        timeout=30,
        json={
            "artifacts": {
                "key": {"any_": ["publish-summary"]},
                "flow_run_id": {"any_": [summary["flow_run_id"]]},
            }
        },
    ).json()
    assert len(arts) == 1
    assert "co-so-luu-tru-thieu-tep" in arts[0]["data"] and "Lỗi: **2**" in arts[0]["data"]


def test_concurrency_limit_is_respected(portal, tmp_path):
    root = copy_catalog(tmp_path / "catalog", only=CORE_DATASETS)
    env = {"DULIEUMO_WORK_DIR": str(tmp_path / "work")}
    portal.reset()
    two = run("publish", "--all", "--json", "--max-parallel", "2", root=root, env=env)
    assert two.returncode == 0, two.stderr[-3000:]
    data = json_out(two)
    assert data["counts"]["published"] == 3 and data["max_parallel"] == 2
    assert _max_overlap(data["datasets"]) == 2  # two at once, never three

    portal.reset()
    one = run("publish", "--all", "--json", root=root, env={**env, "DULIEUMO_MAX_PARALLEL": "1"})
    assert one.returncode == 0, one.stderr[-3000:]
    data = json_out(one)
    assert data["counts"]["published"] == 3 and data["max_parallel"] == 1
    assert _max_overlap(data["datasets"]) == 1  # one after the other


@pytest.mark.slow
def test_bad_concurrency_setting_and_bad_arguments_are_clear_errors(tmp_path):
    proc = run("publish", "--all", env={"DULIEUMO_MAX_PARALLEL": "nhieu"})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "DULIEUMO_MAX_PARALLEL" in proc.stderr and "'nhieu'" in proc.stderr
    both = run("publish", "co-so-luu-tru", "--all")
    assert both.returncode == 2 and "one dataset name, or --all" in both.stderr
