"""The metadata the publisher writes: the dataset schema's fields, never free extras, local
paths or credentials; the extras of releases before the schema are removed (issue 14.3)."""

from __future__ import annotations

from dulieumo.catalog import load_catalog
from publish.metadata import OBSOLETE_EXTRAS, kept_extras, package_dict, source_name
from publish.planning import metadata_diff
from tests.support.catalog import REPO_ROOT
from tests.support.specs import dataset_spec

CATALOG = load_catalog(REPO_ROOT)
CONTRACT = [
    "title",
    "notes",
    "title_en",
    "notes_en",
    "owner_org",
    "license_id",
    "tags",
    "groups",
    "frequency",
    "language",
    "contact_name",
    "contact_email",
    "contact_phone",
    "spatial_text",
    "spatial_code",
    "temporal_start",
    "temporal_end",
    "source_name",
]


def test_every_contract_field_is_written_at_the_top_level_without_extras():
    meta = package_dict(CATALOG.get("co-so-kham-chua-benh"), CATALOG.portal)
    assert set(CONTRACT) <= set(meta)
    assert meta["extras"] == []
    assert meta["frequency"] == "monthly"  # the code; DCAT derives the EU URI
    assert meta["language"] == "vi"
    assert (meta["spatial_text"], meta["spatial_code"]) == ("Tỉnh Quảng Ninh", "22")
    assert meta["contact_name"] == "Phòng Nghiệp vụ Y, Sở Y tế"
    assert meta["contact_email"] == "nghiepvuy.syt@quangninh.gov.vn"
    assert meta["contact_phone"] == ""  # no placeholder number
    assert meta["title_en"] == "Health facilities in Quảng Ninh province"
    assert "English" not in meta["notes"] and meta["notes_en"]


def test_no_local_path_or_credential_reaches_the_portal():
    for spec in CATALOG.datasets.values():
        meta = package_dict(spec, CATALOG.portal)
        values = " ".join(str(v) for v in meta.values())
        assert "samples/" not in values and "datasets/" not in values and ".yaml" not in values
        assert "${" not in values


def test_source_name_is_the_specs_or_the_kind_of_source_of_the_agency():
    portal = CATALOG.portal
    named = dataset_spec(organization="so-y-te", source_name="Phần mềm quản lý bệnh viện")
    assert source_name(named, portal) == "Phần mềm quản lý bệnh viện"
    web = dataset_spec(
        organization="so-y-te",
        source={"type": "http", "url": "https://api.syt.example.vn/x.csv?access_token=s3cret"},
    )
    # the dataset and its datapackage.json say the same; never a host, path or credential
    assert source_name(web, portal) == "Tệp dữ liệu công bố trên trang web của Sở Y tế"
    local = dataset_spec(organization="so-y-te", source="samples/so-y-te/x.csv")
    assert source_name(local, portal) == "Tệp dữ liệu xuất từ hệ thống của Sở Y tế"


def test_temporal_and_contact_point_come_from_the_spec():
    spec = dataset_spec(
        organization="so-y-te",
        temporal={"start": "2020-01-01"},
        contact={"name": "Bộ phận một cửa", "phone": "0203 3825 123"},
    )
    meta = package_dict(spec, CATALOG.portal)
    assert (meta["temporal_start"], meta["temporal_end"]) == ("2020-01-01", "")
    assert meta["contact_name"] == "Bộ phận một cửa"
    assert meta["contact_email"] == "dau.moi@example.org"  # the maintainer's
    assert meta["contact_phone"] == "0203 3825 123"


def test_an_old_release_s_extras_make_a_metadata_change_and_are_not_kept():
    spec = CATALOG.get("co-so-kham-chua-benh")
    meta = package_dict(spec, CATALOG.portal)
    old = {
        **{k: v for k, v in meta.items() if k not in ("extras", "owner_org")},
        "organization": {"name": spec.organization},
        "extras": [
            {"key": "tan_suat_cap_nhat", "value": "Hằng tháng"},
            {"key": "source_spec", "value": "datasets/so-y-te/co-so-kham-chua-benh.yaml"},
            {"key": "dulieumo_last_updated", "value": "2026-12-01T00:00:00+00:00"},
        ],
    }
    diff = metadata_diff(old, meta)
    assert set(diff) == {"extras.tan_suat_cap_nhat", "extras.source_spec"}
    assert [e["key"] for e in kept_extras(old)] == ["dulieumo_last_updated"]
    assert {"source_spec", "schema_ref", "tan_suat_cap_nhat"} <= OBSOLETE_EXTRAS
    # a changed schema field is a metadata change too
    assert "contact_phone" in metadata_diff({**old, "extras": []}, {**meta, "contact_phone": "1"})
