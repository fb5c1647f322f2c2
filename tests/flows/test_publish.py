"""End to end: a sample dataset travels from its agency file to the portal (issue: pipeline)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import requests

from tests.support.catalog import REPO_ROOT, spec_file
from tests.support.cli import json_out, run

DATASET = "co-so-kham-chua-benh"


@pytest.fixture(scope="module")
def published(portal):
    portal.reset()
    proc = run("publish", DATASET, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    return json_out(proc)


def _schema() -> dict:
    import yaml

    spec = yaml.safe_load(spec_file(REPO_ROOT, DATASET).read_text(encoding="utf-8"))
    return json.loads((REPO_ROOT / spec["schema"]).read_text(encoding="utf-8"))


def _resource(pkg: dict, role: str) -> dict:
    found = [r for r in pkg["resources"] if r.get("dulieumo_role") == role]
    assert len(found) == 1, pkg["resources"]
    return found[0]


def test_publish_reports_the_dataset_url(published, portal):
    assert published["status"] == "published"
    assert published["result"]["url"] == f"{portal.url}/dataset/{DATASET}"
    assert published["result"]["rows"] > 0
    assert published["result"]["version"] == "1.0.0"


def test_dataset_is_listed_on_the_portal_page(published, portal):
    pkg = portal.ckan().action.package_show(id=DATASET)
    page = requests.get(f"{portal.url}/dataset", timeout=30)
    assert page.status_code == 200
    assert pkg["title"] in page.text


def test_metadata_comes_from_the_spec_and_publisher_token(published, portal):
    import yaml

    spec = yaml.safe_load(spec_file(REPO_ROOT, DATASET).read_text(encoding="utf-8"))
    pkg = portal.ckan().action.package_show(id=DATASET)
    assert pkg["title"] == spec["title"]["vi"]
    assert pkg["organization"]["name"] == spec["organization"]
    assert {g["name"] for g in pkg["groups"]} == set(spec["groups"])
    assert {t["name"] for t in pkg["tags"]} == set(spec["tags"])
    assert pkg["license_id"] == spec["license"]
    assert pkg["maintainer"] == spec["maintainer"]["name"]
    publisher = portal.ckan("sysadmin").action.user_show(id="dulieumo_publisher")
    assert pkg["creator_user_id"] == publisher["id"]


def test_csv_downloads_with_the_bytes_of_the_validated_output(published, portal):
    pkg = portal.ckan().action.package_show(id=DATASET)
    res = _resource(pkg, "release-data")
    body = requests.get(res["url"], timeout=60).content
    validated = Path(published["table_path"]).read_bytes()
    assert body == validated
    assert res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert "v1.0.0" in res["url"]
    # the stable "latest" link serves the same bytes
    latest = _resource(pkg, "latest-data")
    stable = f"{portal.url}/dataset/{DATASET}/resource/{latest['id']}/download"
    assert requests.get(stable, timeout=60).content == validated
    assert not body.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    body.decode("utf-8")


def test_datapackage_json_describes_data_schema_and_provenance(published, portal):
    pkg = portal.ckan().action.package_show(id=DATASET)
    dp = requests.get(_resource(pkg, "release-datapackage")["url"], timeout=60).json()
    csv_bytes = requests.get(_resource(pkg, "release-data")["url"], timeout=60).content
    assert dp["version"] == "1.0.0"
    res = dp["resources"][0]
    assert res["hash"] == "sha256:" + hashlib.sha256(csv_bytes).hexdigest()
    assert res["bytes"] == len(csv_bytes)
    assert res["schema"] == _schema()
    import yaml

    spec = yaml.safe_load(spec_file(REPO_ROOT, DATASET).read_text(encoding="utf-8"))
    raw = (REPO_ROOT / spec["source"]["path"]).read_bytes()
    prov = dp["x_dulieumo"]["provenance"]
    assert prov["source_sha256"] == hashlib.sha256(raw).hexdigest()
    assert prov["flow_run_id"]
    import frictionless

    report = frictionless.validate(dp["resources"][0]["schema"])
    assert report.valid, report.flatten(["type", "note"])


def test_datastore_rows_have_the_schema_types_and_dictionary(published, portal):
    found = portal.ckan().action.datastore_search(
        resource_id=published["result"]["datastore_alias"], limit=5
    )
    schema = _schema()
    types = {f["id"]: f["type"] for f in found["fields"]}
    expected = {
        "integer": "int8",
        "number": "numeric",
        "string": "text",
        "date": "date",
        "boolean": "bool",
    }
    for field in schema["fields"]:
        if field.get("type") in expected:
            assert types[field["name"]] == expected[field["type"]], field["name"]
    assert found["total"] == published["result"]["rows"]
    ints = [f["name"] for f in schema["fields"] if f.get("type") == "integer"]
    assert ints and all(
        isinstance(rec[ints[0]], int) for rec in found["records"] if rec[ints[0]] is not None
    )
    info = {f["id"]: f.get("info", {}) for f in found["fields"]}
    for field in schema["fields"]:
        assert info[field["name"]].get("label") == field["title"]


def test_datastore_sql_query_works_for_developers(published, portal):
    # the stable "latest" resource id works for datastore_search and for SQL
    latest = published["result"]["latest_resource_id"]
    by_id = portal.ckan().action.datastore_search(resource_id=latest, limit=1)
    assert by_id["total"] == published["result"]["rows"]
    res = portal.ckan().action.datastore_search_sql(sql=f'SELECT count(*) AS n FROM "{latest}"')
    assert int(res["records"][0]["n"]) == published["result"]["rows"]


def test_publishing_the_same_data_again_writes_nothing(published, portal):
    admin = portal.ckan("sysadmin")
    before = admin.action.package_show(id=DATASET)
    activities = admin.action.package_activity_list(id=DATASET)
    proc = run("publish", DATASET, "--json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json_out(proc)
    assert out["status"] == "unchanged"
    assert out["result"]["version"] == "1.0.0"
    after = admin.action.package_show(id=DATASET)
    assert after == before
    assert admin.action.package_activity_list(id=DATASET) == activities


def test_dry_run_prints_the_plan_and_writes_nothing(published, portal, tmp_path):
    from tests.support.catalog import copy_catalog
    from tests.support.cli import snapshot

    root = copy_catalog(tmp_path)
    source = root / "samples" / "so-y-te" / "co-so-kham-chua-benh.csv"
    text = (
        source.read_bytes()
        .decode("utf-8-sig")
        .replace("KCB-00001,Bệnh viện Đa khoa", "KCB-00001,Bệnh viện Đa khoa mới")
    )
    source.write_bytes(text.encode("utf-8"))
    before = snapshot(portal.ckan("sysadmin"))
    proc = run("publish", DATASET, "--dry-run", "--json", root=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json_out(proc)
    assert out["status"] == "planned"
    plan = out["result"]["plan"]
    assert plan["previous"] == "1.0.0" and plan["version"] == "1.0.1"
    assert plan["level"] == "patch"
    assert plan["rows"] == {
        "added": 0,
        "removed": 0,
        "changed": 1,
        "unchanged": published["result"]["rows"] - 1,
    }
    assert snapshot(portal.ckan("sysadmin")) == before
