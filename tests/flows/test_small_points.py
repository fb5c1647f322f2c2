"""Issue 16, point 8: the summary line counts errors and warnings apart (it said
"0 error(s) (formula-escaped: 1)"), and a dry run leaves nothing in the quarantine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from app.cli.validate import summary_counts
from tests.flows.conftest import prefect_server  # noqa: F401  (one Prefect server, autouse)
from tests.support.catalog import copy_catalog, spec_file
from tests.support.cli import json_out, run
from validate.findings import Finding, Report

LODGING = "co-so-luu-tru"


def test_summary_counts_errors_and_warnings_apart() -> None:
    rep = Report("x", "x.csv")
    rep.add(Finding("formula-escaped", "…", "warning", "x.csv", row=2))
    assert summary_counts(rep) == "0 error(s); 1 warning(s) (formula-escaped: 1)"
    rep.add(Finding("type-error", "…", "error", "x.csv", row=3))
    assert summary_counts(rep) == ("1 error(s) (type-error: 1); 1 warning(s) (formula-escaped: 1)")


@pytest.mark.slow
def test_a_dry_run_of_invalid_data_quarantines_nothing(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat", only=(LODGING,))
    spec = yaml.safe_load(spec_file(root, LODGING).read_text(encoding="utf-8"))
    source = root / spec["source"]["path"]
    reader = csv.DictReader(io.StringIO(source.read_text(encoding="utf-8-sig")))
    rows = list(reader)
    rows[0]["so_phong"] = "mười"
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(reader.fieldnames or []), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    source.write_text(buf.getvalue(), encoding="utf-8")
    env = {"DULIEUMO_WORK_DIR": str(tmp_path / "work")}
    proc = run("publish", LODGING, "--dry-run", "--json", root=root, env=env)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = json_out(proc)
    assert out["status"] == "invalid" and out["quarantine_path"] is None
    listed = run("quarantine", LODGING, "--json", root=root, env=env)
    assert json_out(listed) == []
    # the same run for real is quarantined
    proc = run("publish", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1 and json_out(proc)["quarantine_path"]
    assert len(json_out(run("quarantine", LODGING, "--json", root=root, env=env))) == 1
