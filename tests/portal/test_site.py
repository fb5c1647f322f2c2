"""The portal's own texts: the `site:` section of the portal file (checked like every spec),
the site file `portal up` hands to the portal, and the agencies' contacts seeded as
organisation extras."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import load_portal
from dulieumo.errors import SpecError
from portal import site
from portal.ckan_ini import render_ini
from portal.settings import PortalSettings
from publish.organizations import ensure_organizations
from tests.support.catalog import copy_catalog, read_yaml, write_yaml

PORTAL = "datasets/portal.yaml"


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat", only=())


def test_the_repositorys_portal_file_has_the_site_texts() -> None:
    portal = load_portal(Path(__file__).resolve().parents[2])
    assert portal.site is not None
    assert portal.site.operator == "so-thong-tin-truyen-thong"
    assert {a.group for a in portal.site.foundation_areas} >= {"dat-dai", "y-te", "noi-vu"}
    assert all(o.contact and o.contact.email for o in portal.organizations)


def test_site_names_must_be_declared(root: Path) -> None:
    data = read_yaml(root, PORTAL)
    data["site"]["operator"] = "so-khong-co"
    data["site"]["foundation_areas"][0]["group"] = "nhom-khong-co"
    write_yaml(root, PORTAL, data)
    with pytest.raises(SpecError, match=r"site.operator: 'so-khong-co' is not an organisation"):
        load_portal(root)
    data["site"]["operator"] = "so-y-te"
    write_yaml(root, PORTAL, data)
    with pytest.raises(SpecError, match=r"site.foundation_areas.0.group: 'nhom-khong-co'"):
        load_portal(root)


def test_bad_contact_values_name_their_field(root: Path) -> None:
    data = read_yaml(root, PORTAL)
    data["organizations"][1]["contact"]["email"] = "khong-phai-thu"
    data["site"]["contact"]["website"] = "javascript:alert(1)"
    data["site"]["licence"]["term"] = ["x"]
    write_yaml(root, PORTAL, data)
    with pytest.raises(SpecError) as info:
        load_portal(root)
    text = str(info.value)
    assert f"{PORTAL}: organizations[1].contact.email" in text
    assert f"{PORTAL}: site.contact.website" in text
    assert f"{PORTAL}: site.licence.term: unknown field" in text


def test_site_file_carries_the_texts_and_is_named_in_ckan_ini(tmp_path: Path, root: Path) -> None:
    settings = PortalSettings(state_dir=tmp_path / "state")
    portal = load_portal(root)
    assert site.sync_site_file(settings, portal) is True
    assert site.sync_site_file(settings, portal) is False  # unchanged: no restart
    data = json.loads(site.site_file(settings).read_text(encoding="utf-8"))
    assert data["title"] == portal.site_title
    assert data["operator"] == {
        "name": "so-thong-tin-truyen-thong",
        "title": "Sở Thông tin và Truyền thông",
    }
    assert data["foundation_areas"][0]["group"] == "dat-dai"
    ini = render_ini(
        settings, {"secret_key": "k", "ckan_db_password": "p", "datastore_ro_password": "r"}
    )
    assert f"ckanext.dulieumo.site_file = {site.site_file(settings)}" in ini
    data_yaml = read_yaml(root, PORTAL)
    data_yaml["site_title"] = "Cổng dữ liệu mở tỉnh Khác"
    write_yaml(root, PORTAL, data_yaml)
    assert site.sync_site_file(settings, load_portal(root)) is True


class RecordingCKAN:
    """Enough of a CKAN client for the seeding: organisations and groups by name."""

    def __init__(self) -> None:
        self.things: dict[str, dict[str, Any]] = {}
        self.calls: list[str] = []

    def call_action(self, action: str, data: dict[str, Any]) -> dict[str, Any]:
        from ckanapi import NotFound

        self.calls.append(action)
        kind, _, verb = action.partition("_")
        key = f"{kind}:{data.get('id') or data.get('name')}"
        if verb == "show":
            if key not in self.things:
                raise NotFound()
            return {**self.things[key], "state": "active"}
        if verb in ("create", "patch"):
            self.things[key] = {k: v for k, v in data.items() if k != "id"}
        return {}


def test_seeding_writes_the_agencys_contact_and_updates_it(root: Path) -> None:
    ckan = RecordingCKAN()
    ensure_organizations(ckan, load_portal(root))
    extras = {e["key"]: e["value"] for e in ckan.things["organization:so-y-te"]["extras"]}
    assert extras["dia_chi"].startswith("651")
    assert extras["dien_thoai"] == "0203 3835 519"
    assert extras["email"] == "syt@quangninh.gov.vn"
    assert extras["website"] == "https://syt.quangninh.gov.vn"
    assert extras["ma_dinh_danh"] == "H41.24"
    data = read_yaml(root, PORTAL)
    data["organizations"][1]["contact"]["phone"] = "0203 1111 222"
    write_yaml(root, PORTAL, data)
    ckan.calls.clear()
    ensure_organizations(ckan, load_portal(root))
    assert ckan.calls.count("organization_patch") == 1  # only the changed agency
    extras = {e["key"]: e["value"] for e in ckan.things["organization:so-y-te"]["extras"]}
    assert extras["dien_thoai"] == "0203 1111 222"
