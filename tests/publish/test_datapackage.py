"""Self-contained, valid Data Packages: the release's `datapackage.json` names its CSV by the
portal's absolute download URL, carries the code lists its foreign keys point to, names the
agency's source without local paths, and passes `frictionless validate` from the portal."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pytest
import requests

from dulieumo.catalog import load_catalog
from dulieumo.tables import PulledTable
from publish.datapackage import build_datapackage
from publish.provenance import public_url, source_name
from publish.references import codelist_resources
from tests.support.catalog import copy_catalog
from tests.support.publishing import dataset_names, publish

REPO = Path(__file__).resolve().parents[2]


def _table(tmp: Path, source_uri: str) -> PulledTable:
    path = tmp / "x.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    return PulledTable(
        path, "0" * 64, "1" * 64, 4, source_uri, "2026-12-06T00:00:00+00:00", "utf-8"
    )


def _descriptor(name: str, tmp: Path, source_uri: str) -> dict:
    catalog = load_catalog(REPO)
    spec = catalog.get(name)
    schema = json.loads((REPO / spec.schema_path).read_text(encoding="utf-8"))
    return build_datapackage(
        spec,
        catalog.portal,
        _table(tmp, source_uri),
        schema,
        report_summary={},
        created="2026-12-06T00:00:00+00:00",
        flow_run_id="t",
        data_url="https://dulieu.example.vn/dataset/x/resource/y/download/x.csv",
        root=REPO,
    )


def test_the_data_path_is_the_absolute_url_and_code_lists_come_along(tmp_path):
    dp = _descriptor("thong-ke-can-bo-cong-chuc", tmp_path, "samples/so-noi-vu/x.csv")
    data = dp["resources"][0]
    assert data["path"] == "https://dulieu.example.vn/dataset/x/resource/y/download/x.csv"
    # co_quan is referenced; it references don_vi_hanh_chinh in turn
    names = [r["name"] for r in dp["resources"][1:]]
    assert names == ["co_quan", "don_vi_hanh_chinh"]
    co_quan = dp["resources"][1]
    assert co_quan["data"][0][0] == "ma_dinh_danh" and len(co_quan["data"]) > 5
    assert co_quan["schema"]["primaryKey"] == ["ma_dinh_danh"]


def test_sources_name_the_agency_without_local_paths(tmp_path):
    dp = _descriptor("co-so-kham-chua-benh", tmp_path, "samples/so-y-te/co-so.csv")
    assert dp["sources"] == [{"title": "Tệp dữ liệu xuất từ hệ thống của Sở Y tế"}]
    assert "samples/" not in json.dumps(dp, ensure_ascii=False)
    assert dp["x_dulieumo"]["provenance"]["source"] == dp["sources"][0]["title"]
    public = _descriptor("co-so-kham-chua-benh", tmp_path, "https://syt.quangninh.gov.vn/x.csv")
    assert public["sources"][0]["path"] == "https://syt.quangninh.gov.vn/x.csv"


@pytest.mark.parametrize(
    "uri, public",
    [
        ("https://syt.quangninh.gov.vn/du-lieu.csv", True),
        ("http://127.0.0.1:8714/so-y-te/x.csv", False),
        ("http://localhost/x.csv", False),
        ("http://10.1.2.3/x.csv", False),
        ("http://192.168.1.5/api", False),
        ("http://may-chu-noi-bo/x.csv", False),
        ("http://db.internal/x", False),
        ("samples/so-y-te/x.csv", False),
        ("/srv/data/x.csv", False),
        ("postgresql://u@db/x", False),
        ("${DULIEUMO_AGENCY_URL}/x.csv", False),
        ("https://ckan.example.vn resource abc", True),
    ],
)
def test_only_public_web_addresses_are_shown(uri, public):
    assert (public_url(uri) is not None) is public


def test_a_package_with_a_broken_reference_fails_validation(tmp_path):
    """The code lists really are checked: a key missing from the list is a finding."""
    schema = json.loads((REPO / "schemas/so-noi-vu/thong-ke-can-bo-cong-chuc.json").read_text())
    resources = codelist_resources(schema, REPO)
    header = resources[0]["data"][0]
    column = header.index("ma_huyen")
    row = next(r for r in resources[0]["data"][1:] if r[column])
    row[column] = "999"
    report = frictionless.validate({"name": "x", "resources": resources})
    assert not report.valid
    assert report.flatten(["type"]) == [["foreign-key"]]


def test_source_name_is_the_spec_s_own_when_it_declares_one():
    catalog = load_catalog(REPO)
    spec = catalog.get("co-so-luu-tru")
    assert source_name(spec, catalog.portal).endswith("của Sở Du lịch")


# ---------------------------------------------------------------- against the running portal


@pytest.fixture(scope="module")
def published(portal, agency, tmp_path_factory):
    """Every dataset of the sample catalogue, published to a fresh portal."""
    portal.reset()
    tmp = tmp_path_factory.mktemp("datapackages")
    root = copy_catalog(tmp / "catalog")
    names = dataset_names(root)
    for name in names:
        publish(root, portal, name, tmp)
    return names


def test_every_release_datapackage_validates_from_the_portal_url(published, portal):
    ckan = portal.ckan()
    checked = 0
    for name in published:
        pkg = ckan.action.package_show(id=name)
        data = {
            r["dulieumo_version"]: r
            for r in pkg["resources"]
            if r.get("dulieumo_role") == "release-data"
        }
        for res in pkg["resources"]:
            if res.get("dulieumo_role") != "release-datapackage":
                continue
            dp = requests.get(res["url"], timeout=60).json()
            # the data is the release's own CSV, by an absolute URL that downloads it
            assert dp["resources"][0]["path"] == data[res["dulieumo_version"]]["url"], name
            report = frictionless.validate(res["url"])
            assert report.valid, (name, report.flatten(["type", "note"])[:5])
            assert report.stats["tasks"] == len(dp["resources"])
            assert "samples/" not in json.dumps(dp, ensure_ascii=False), name
            # the sample agencies answer on 127.0.0.1: not a public address, so not shown
            assert dp["sources"] == [{"title": dp["x_dulieumo"]["provenance"]["source"]}], name
            assert dp["x_dulieumo"]["provenance"]["source_url"] is None
            refs = {
                fk["reference"]["resource"]
                for fk in dp["resources"][0]["schema"].get("foreignKeys", [])
            }
            assert refs <= {r["name"] for r in dp["resources"]}, name
            checked += 1
    assert checked == len(published)
