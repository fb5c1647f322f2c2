"""End to end: `dulieumo demo` starts the sample agency and publishes the whole catalogue to
the real local portal, browsable by organisation and by group; a code missing from its code
list stops that dataset (foreign-key finding) and nothing of it is published."""

from __future__ import annotations

import csv
import io
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import load_catalog
from tests.support.catalog import REPO_ROOT, copy_catalog
from tests.support.cli import DULIEUMO, json_out, run


@pytest.fixture(scope="module")
def demo(portal: Any) -> list[dict[str, Any]]:
    portal.reset()
    env = {k: v for k, v in os.environ.items() if k != "DULIEUMO_AGENCY_URL"}
    env.update({"DULIEUMO_AGENCY_PORT": "0", "DULIEUMO_RETRY_DELAYS": "0.2,0.2"})
    proc = subprocess.run(
        [DULIEUMO, "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=1200,
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary: dict[str, Any] = json_out(proc)
    assert summary["ok"] and summary["counts"]["published"] == len(summary["datasets"])
    outcomes: list[dict[str, Any]] = summary["datasets"]
    return outcomes


def test_demo_publishes_all_ten_datasets(demo: list[dict[str, Any]], portal: Any) -> None:
    specs = load_catalog(REPO_ROOT).datasets
    assert {o["dataset"]: o["status"] for o in demo} == {n: "published" for n in specs}
    ckan = portal.ckan()
    for name, spec in specs.items():
        pkg = ckan.action.package_show(id=name)
        assert pkg["organization"]["name"] == spec.organization
        assert {g["name"] for g in pkg["groups"]} == set(spec.groups)
        assert pkg["title"] == spec.title.vi
    rows = {
        name: ckan.action.datastore_search(resource_id=name.replace("-", "_"), limit=0)["total"]
        for name in specs
    }
    assert rows["quan-trac-moi-truong-tu-dong"] == 5376  # all next-link pages
    assert rows["doanh-nghiep-thanh-lap-moi"] == 420  # all API pages
    assert rows["ho-so-thu-tuc-hanh-chinh"] == 108  # all DataStore pages of the other portal
    assert rows["du-an-dau-tu-cong"] == 160  # the SQL table


def test_catalogue_is_browsable_by_organisation_and_group(
    demo: list[dict[str, Any]], portal: Any
) -> None:
    specs = load_catalog(REPO_ROOT).datasets
    ckan = portal.ckan()
    per_org = Counter(s.organization for s in specs.values())
    per_group = Counter(g for s in specs.values() for g in s.groups)
    assert len(per_org) >= 6
    for org, count in per_org.items():
        shown = ckan.action.organization_show(id=org)
        assert shown["package_count"] == count, org
    for group, count in per_group.items():
        assert ckan.action.group_show(id=group)["package_count"] == count, group
    # typed DataStore rows of a harvested and of a converted (TCVN3, decimal comma) dataset
    land = ckan.action.package_show(id="dien-tich-dat-theo-muc-dich")
    latest = next(r for r in land["resources"] if r.get("datastore_active"))
    found = ckan.action.datastore_search(
        resource_id=latest["id"], limit=1, filters={"ma_loai_dat": "LUA"}
    )
    assert found["records"][0]["ten_loai_dat"] == "Đất trồng lúa"
    assert isinstance(found["records"][0]["dien_tich"], float | int)


def test_a_code_missing_from_its_code_list_publishes_nothing(portal: Any, tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    name = "co-so-luu-tru"
    path = root / "samples/so-du-lich/co-so-luu-tru.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[7]["ma_huyen"] = "999"  # no such district
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    ckan = portal.ckan("sysadmin")
    before = {
        p: ckan.action.package_show(id=p)["metadata_modified"]
        for p in ckan.action.package_list()
        if p == name
    }
    proc = run(
        "publish", name, "--json", root=root, env={"DULIEUMO_WORK_DIR": str(tmp_path / "work")}
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    out = json_out(proc)
    assert out["status"] == "invalid"
    assert dict(out["findings"]).get("foreign-key") == 1
    after = {
        p: ckan.action.package_show(id=p)["metadata_modified"]
        for p in ckan.action.package_list()
        if p == name
    }
    assert after == before  # nothing published: no new dataset, the last release untouched
