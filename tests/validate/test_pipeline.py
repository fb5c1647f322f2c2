"""The validation stage in real runs against the local portal: cross-release row count,
foreign keys to another published dataset, the personal-data guard and quarantine, formula
cells escaped in the uploaded CSV, the HTML report published with each release."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import requests
import yaml

from tests.flows.conftest import prefect_server  # noqa: F401  (one Prefect server, autouse)
from tests.support.catalog import copy_catalog, edit_spec, spec_file
from tests.support.cli import json_out, run, snapshot

LODGING = "co-so-luu-tru"
HEALTH = "co-so-kham-chua-benh"


@pytest.fixture(scope="module")
def published(portal, tmp_path_factory):
    """Both datasets published once from a private catalogue copy and work root."""
    portal.reset()
    base = tmp_path_factory.mktemp("pipeline")
    root = copy_catalog(base / "catalogue")
    env = {"DULIEUMO_WORK_DIR": str(base / "work")}
    for name in (HEALTH, LODGING):
        proc = run("publish", name, "--json", root=root, env=env)
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return root, env


def _source(root: Path) -> Path:
    spec = yaml.safe_load(spec_file(root, LODGING).read_text(encoding="utf-8"))
    return root / spec["source"]["path"]


def _rows(root: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_source(root).read_text(encoding="utf-8-sig")))
    return list(reader.fieldnames or []), list(reader)


def _write(root: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _source(root).write_text(buf.getvalue(), encoding="utf-8")


def _copy(published, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A private catalogue a test may break, sharing the module's work root."""
    return copy_catalog(tmp_path), published[1]


def _download(portal, url: str) -> bytes:
    resp = requests.get(
        url.replace("http://localhost", "http://127.0.0.1"),
        timeout=60,
        headers={"Authorization": portal.tokens["sysadmin"]},
    )
    resp.raise_for_status()
    return resp.content


def _resource(portal, role: str) -> dict:
    pkg = portal.ckan("sysadmin").action.package_show(id=LODGING)
    found = [r for r in pkg["resources"] if r.get("dulieumo_role") == role]
    assert found, [r.get("dulieumo_role") for r in pkg["resources"]]
    return found[0]


def test_release_carries_its_html_report(portal, published) -> None:
    res = _resource(portal, "release-report-html")
    assert res["format"] == "HTML" and res["url"].endswith(".html")
    html = _download(portal, res["url"]).decode("utf-8")
    assert "Báo cáo kiểm tra chất lượng dữ liệu" in html and LODGING in html
    assert "Đạt" in html


def test_flow_run_has_the_validation_artifacts(published) -> None:
    import os

    import httpx

    api = os.environ["PREFECT_API_URL"]
    key = f"validation-{LODGING}"
    resp = httpx.post(
        f"{api}/artifacts/filter",
        json={"artifacts": {"key": {"any_": [key, f"{key}-findings"]}}, "sort": "CREATED_DESC"},
        timeout=30,
    )
    resp.raise_for_status()
    found = {a["key"]: a for a in resp.json()}
    assert key in found, [a["key"] for a in resp.json()]
    md = found[key]
    assert md["type"] == "markdown" and md["flow_run_id"]
    assert f"Kiểm tra dữ liệu: {LODGING}" in md["data"] and "Đạt" in md["data"]


def test_row_count_drift_against_the_last_release(portal, published, tmp_path) -> None:
    root, env = _copy(published, tmp_path)
    edit_spec(
        root, LODGING, lambda d: d.setdefault("quality", {}).update({"row_count_tolerance": 0.1})
    )
    # passing case: the same rows as the release
    proc = run("validate", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert json_out(proc)["stats"]["row_count"]["previous"] == 120
    # failing case: half of the rows gone
    header, rows = _rows(root)
    _write(root, header, rows[:60])
    before = snapshot(portal.ckan("sysadmin"))
    proc = run("validate", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1
    (f,) = [f for f in json_out(proc)["findings"] if f["code"] == "row-count-drift"]
    assert f["details"]["previous"] == 120 and f["details"]["rows"] == 60
    assert f["details"]["version"] and f["severity"] == "error" and "120" in f["message"]
    proc = run("publish", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1 and json_out(proc)["findings"]["row-count-drift"] == 1
    assert snapshot(portal.ckan("sysadmin")) == before


def test_foreign_key_to_another_published_dataset(portal, published, tmp_path) -> None:
    root, env = _copy(published, tmp_path)
    schema_path = root / "schemas" / "so-du-lich" / f"{LODGING}.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["foreignKeys"].append(
        {"fields": "ma_huyen", "reference": {"resource": HEALTH, "fields": "ma_huyen"}}
    )
    schema_path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    proc = run("validate", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    header, rows = _rows(root)
    rows[2]["ma_huyen"] = "999"
    _write(root, header, rows)
    proc = run("validate", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1
    found = [f for f in json_out(proc)["findings"] if f["code"] == "foreign-key"]
    resources = {f["details"]["resource"]: f["row"] for f in found}
    assert resources.get(HEALTH) == 4, found  # also the code list, which lacks 999 too
    assert any(HEALTH in f["message"] for f in found)


def test_personal_data_blocks_and_quarantines(portal, published, tmp_path) -> None:
    root, env = _copy(published, tmp_path)
    header, rows = _rows(root)
    rows[0]["dia_chi"] = "Liên hệ chủ nhà 0912 345 678"
    rows[1]["ten"] = "Nhà nghỉ của anh A, CCCD 022090001234"
    _write(root, header, rows)
    before = snapshot(portal.ckan("sysadmin"))
    proc = run("publish", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    out = json_out(proc)
    assert out["status"] == "invalid"
    assert out["findings"] == {"pii-mobile": 1, "pii-cccd": 1}
    folder = Path(out["quarantine_path"])
    assert {p.name for p in folder.iterdir()} >= {"input.csv", "report.json", "report.html"}
    assert "0912 345 678" in (folder / "input.csv").read_text(encoding="utf-8")
    report = (folder / "report.json").read_text(encoding="utf-8")
    html = (folder / "report.html").read_text(encoding="utf-8")
    for text in (report, html):
        assert "0912 345 678" not in text and "022090001234" not in text
        assert "09** *** *78" in text
    assert "Không đạt" in html and "Số điện thoại di động" in html
    assert snapshot(portal.ckan("sysadmin")) == before  # the previous release stays live
    listed = run("quarantine", LODGING, "--json", root=root, env=env)
    assert listed.returncode == 0
    entries = json_out(listed)
    assert entries[0]["path"] == str(folder) and entries[0]["counts"]["pii-cccd"] == 1
    assert entries[0]["files"]["report.html"] == str(folder / "report.html")
    # allowed once the spec says the field may hold it
    edit_spec(
        root,
        LODGING,
        lambda d: d.setdefault("quality", {}).update({"pii_allow": ["dia_chi", "ten"]}),
    )
    proc = run("validate", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_formula_cells_are_escaped_in_the_published_csv(portal, published, tmp_path) -> None:
    root, env = _copy(published, tmp_path)
    header, rows = _rows(root)
    rows[0]["website"] = '=HYPERLINK("http://evil.example","Bấm vào")'
    rows[1]["website"] = "@SUM(1+1)"
    _write(root, header, rows)
    proc = run("publish", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    data = _download(portal, _resource(portal, "latest-data")["url"]).decode("utf-8")
    published_rows = list(csv.DictReader(io.StringIO(data)))
    assert published_rows[0]["website"] == '\'=HYPERLINK("http://evil.example","Bấm vào")'
    assert published_rows[1]["website"] == "'@SUM(1+1)"
    assert published_rows[0]["kinh_do"] == rows[0]["kinh_do"]  # numbers untouched
    report = json.loads(_download(portal, _resource(portal, "latest-report")["url"]))
    assert report["counts"]["formula-escaped"] == 2 and report["ok"] is True
    # reject: the same cells refuse the file
    edit_spec(
        root, LODGING, lambda d: d.setdefault("quality", {}).update({"formula_injection": "reject"})
    )
    rows[0]["website"] = "=1+2"
    _write(root, header, rows)
    before = snapshot(portal.ckan("sysadmin"))
    proc = run("publish", LODGING, "--json", root=root, env=env)
    assert proc.returncode == 1 and json_out(proc)["findings"]["formula-injection"] == 2
    assert snapshot(portal.ckan("sysadmin")) == before
