"""What the DCAT profile reads of a dataset (harvest_fields, CKAN-free), without a portal:
the same harvestable fields from today's extras and from the shared schema's top-level
fields (ckanext-scheming), vocabulary URIs, and which resources are distributions."""

from __future__ import annotations

import json

from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import harvest_fields  # isort: skip

SITE = "https://dulieu.quangninh.gov.vn"
EU = "http://publications.europa.eu/resource/authority"
RELEASES = [
    {
        "version": "1.0.0",
        "created": "2026-12-01T00:00:00+00:00",
        "sha256": "a" * 64,
        "bytes": 120,
        "resources": {"release-data": "r1"},
    },
    {
        "version": "1.0.1",
        "created": "2026-12-05T00:00:00+00:00",
        "sha256": "b" * 64,
        "bytes": 130,
        "resources": {"release-data": "r2"},
    },
]
RESOURCES = [
    {"id": "l1", "url": f"{SITE}/x/r2.csv", "format": "CSV", "dulieumo_role": "latest-data",
     "dulieumo_version": "1.0.1"},
    {"id": "r1", "url": f"{SITE}/x/r1.csv", "format": "CSV", "mimetype": "text/csv",
     "size": 120, "hash": "sha256:" + "a" * 64, "dulieumo_role": "release-data",
     "dulieumo_version": "1.0.0"},
    {"id": "r2", "url": f"{SITE}/x/r2.csv", "format": "CSV", "mimetype": "text/csv",
     "size": 130, "hash": "sha256:" + "b" * 64, "dulieumo_role": "release-data",
     "dulieumo_version": "1.0.1"},
    {"id": "d2", "url": f"{SITE}/x/dp.json", "format": "JSON",
     "dulieumo_role": "release-datapackage", "dulieumo_version": "1.0.1"},
    {"id": "h2", "url": f"{SITE}/x/report.html", "format": "HTML",
     "dulieumo_role": "release-report-html", "dulieumo_version": "1.0.1"},
]  # fmt: skip
BASE = {
    "name": "co-so-y-te",
    "title": "Cơ sở y tế",
    "license_id": "cc-by",
    "maintainer": "Phòng Nghiệp vụ Y",
    "maintainer_email": "a@quangninh.gov.vn",
    "resources": RESOURCES,
}

#: the dataset as the publisher writes it today: extras
LEGACY = {
    **BASE,
    "version": "1.0.1",
    "extras": [
        {"key": "frequency", "value": f"{EU}/frequency/MONTHLY"},
        {"key": "language", "value": "vi"},
        {"key": "spatial_text", "value": "Tỉnh Quảng Ninh"},
        {"key": "ma_tinh", "value": "22"},
        {"key": "contact_phone", "value": "0203 3825 000"},
        {"key": "title_en", "value": "Health facilities"},
        {"key": "description_en", "value": "Hospitals"},
        {"key": "source_spec", "value": "datasets/so-y-te/x.yaml"},
        {"key": "dulieumo_releases", "value": json.dumps(RELEASES)},
    ],
}
#: the same dataset with the shared schema's top-level fields (contract 1)
SCHEMA = {
    **BASE,
    "version": "1.0.1",
    "frequency": "monthly",
    "language": "vi",
    "contact_name": "Phòng Nghiệp vụ Y",
    "contact_email": "a@quangninh.gov.vn",
    "contact_phone": "0203 3825 000",
    "spatial_text": "Tỉnh Quảng Ninh",
    "spatial_code": "22",
    "title_en": "Health facilities",
    "notes_en": "Hospitals",
    "source_name": "Hệ thống quản lý của Sở Y tế",
    "temporal_start": "2020-01-01",
    "dulieumo_releases": RELEASES,
    "extras": [],
}

FIELDS = (
    "frequency",
    "language",
    "contact_name",
    "contact_email",
    "contact_phone",
    "spatial_text",
    "spatial_code",
    "title_en",
    "notes_en",
    "version",
    "license_uri",
    "url",
)


def test_extras_and_schema_fields_give_the_same_harvestable_dataset():
    before = harvest_fields.harvestable(LEGACY, SITE)
    after = harvest_fields.harvestable(SCHEMA, SITE)
    assert {k: before.get(k) for k in FIELDS} == {k: after.get(k) for k in FIELDS}
    assert before["resources"] == after["resources"]
    assert after["frequency"] == f"{EU}/frequency/MONTHLY"
    assert after["language"] == [f"{EU}/language/VIE"]
    assert after["license_uri"] == f"{EU}/licence/CC_BY_4_0"
    assert after["url"] == f"{SITE}/dataset/co-so-y-te"
    # only what the schema declares: temporal coverage and the source's name
    assert after["temporal_start"] == "2020-01-01" and "temporal_start" not in before
    assert after["provenance"] == "Nguồn dữ liệu: Hệ thống quản lý của Sở Y tế"


def test_local_paths_and_release_bookkeeping_never_reach_the_catalogue():
    out = harvest_fields.harvestable(LEGACY, SITE)
    keys = {e["key"] for e in out["extras"]}
    assert "source_spec" not in keys and "dulieumo_releases" not in keys


def test_distributions_are_the_data_and_its_description_with_checksums():
    out = harvest_fields.harvestable(SCHEMA, SITE)
    by_id = {r["id"]: r for r in out["resources"]}
    assert set(by_id) == {"l1", "r1", "r2", "d2"}  # not the validation report
    r1 = by_id["r1"]
    assert r1["download_url"] == f"{SITE}/x/r1.csv"
    assert r1["access_url"] == f"{SITE}/dataset/co-so-y-te/resource/r1"
    assert r1["mimetype"] == "http://www.iana.org/assignments/media-types/text/csv"
    assert r1["format"] == f"{EU}/file-type/CSV"
    assert r1["hash"] == "a" * 64 and r1["hash_algorithm"].endswith("checksumAlgorithm_sha256")
    assert r1["size"] == 120 and r1["issued"] == "2026-12-01T00:00:00+00:00"
    # the latest link: the newest release's size and checksum
    assert by_id["l1"]["hash"] == "b" * 64 and by_id["l1"]["size"] == 130
    assert by_id["d2"]["conforms_to"] == [harvest_fields.DATAPACKAGE_SPEC]
    assert "hash" not in by_id["d2"]


def test_codes_and_uris_map_to_vocabulary_uris():
    for code, name in (("daily", "DAILY"), ("yearly", "ANNUAL"), ("irregular", "IRREG")):
        uri = harvest_fields.to_uri(code, harvest_fields.FREQUENCY_URI)
        assert uri == f"{EU}/frequency/{name}"
    assert harvest_fields.to_uri("https://x.example/f", harvest_fields.FREQUENCY_URI)
    assert harvest_fields.to_uri("sometimes", harvest_fields.FREQUENCY_URI) is None
    unknown = {**SCHEMA, "license_id": "other-open", "license_url": "https://x.example/l"}
    assert harvest_fields.licence_uri(unknown) == "https://x.example/l"
