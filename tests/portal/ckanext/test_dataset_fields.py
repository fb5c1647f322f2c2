"""The dataset schema's field logic and the feeds' texts, without CKAN (issues 14.3, 14.4,
15.9, 15.10): frequency codes, phone numbers, the release list in and out, the release
history rows, local times, and the Atom feeds' Vietnamese titles and ids."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.portal.ckanext import search_extension

from ckanext.dulieumo import dataset_fields, feed_text  # isort: skip

SCHEMA = Path(search_extension.EXTENSION_DIR) / "ckanext" / "dulieumo" / "schemas" / "dataset.yaml"
RELEASES = [
    {
        "version": "1.0.1",
        "created": "2026-12-06T23:30:00+00:00",
        "level": "patch",
        "rows": 10,
        "summary": "Phiên bản 1.0.1: 10 dòng; thêm 1, bớt 0, sửa 2 dòng",
        "resources": {"release-data": "r-csv-2", "release-datapackage": "r-dp-2"},
        "note": "Khôi phục dữ liệu của phiên bản 1.0.0 (phát hành ngày 2026-12-01).",
        "secret_internal": "dropped",
    },
    {"version": "1.0.0", "created": "2026-12-01T01:00:00+00:00", "level": "major"},
]


def test_frequency_is_a_code_and_the_eu_uri_of_older_releases_reads_as_its_code():
    assert dataset_fields.frequency_code("monthly") == "monthly"
    uri = "http://publications.europa.eu/resource/authority/frequency/ANNUAL"
    assert dataset_fields.frequency_code(uri) == "yearly"
    assert dataset_fields.frequency_uri("quarterly").endswith("/QUARTERLY")
    assert dataset_fields.frequency_uri(uri).endswith("/ANNUAL")
    assert dataset_fields.frequency_uri("hourly") is None


@pytest.mark.parametrize("value", ["0203 3825 123", "+84 203 3825 123", "(0203) 3825-123"])
def test_real_phone_numbers_are_accepted(value):
    assert dataset_fields.phone(value) == value


@pytest.mark.parametrize("value", ["0203 3825 XXX", "xin gọi", "12", ""])
def test_placeholder_phone_numbers_are_refused(value):
    with pytest.raises(dataset_fields.FieldError, match="must be a phone number"):
        dataset_fields.phone(value)


def test_the_release_list_is_stored_as_json_and_shown_as_objects_of_known_keys():
    stored = dataset_fields.releases_in(RELEASES)
    assert isinstance(stored, str)
    shown = dataset_fields.releases_out(stored)
    assert [r["version"] for r in shown] == ["1.0.1", "1.0.0"]
    assert "secret_internal" not in shown[0]
    assert shown[0]["resources"] == {"release-data": "r-csv-2", "release-datapackage": "r-dp-2"}
    assert dataset_fields.releases_out(shown) == shown  # a list passes through
    assert dataset_fields.releases_out("not json") == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{", "JSON list"),
        ({"version": "1"}, "list of release objects"),
        ([{"created": "x"}], "release 0: 'version'"),
        ([{"version": "1.0.0", "resources": ["a"]}], "release 0: 'resources'"),
    ],
)
def test_a_malformed_release_list_is_refused_naming_what_is_wrong(value, message):
    with pytest.raises(dataset_fields.FieldError, match=message):
        dataset_fields.releases_in(value)


def test_release_rows_give_local_dates_kinds_rollbacks_and_file_links():
    resources = [
        {"id": "r-csv-2", "url": "http://p/x-v1.0.1.csv"},
        {"id": "r-dp-2", "url": "http://p/datapackage-v1.0.1.json"},
    ]
    rows = dataset_fields.release_rows(json.dumps(RELEASES), resources)
    assert rows[0]["date"] == "06:30 ngày 07/12/2026"  # 23:30 UTC is the next morning here
    assert (rows[0]["kind"], rows[1]["kind"]) == ("PATCH", "MAJOR")
    assert rows[0]["rollback_of"] == "1.0.0" and rows[1]["rollback_of"] is None
    assert rows[0]["csv"] == "http://p/x-v1.0.1.csv"
    assert rows[0]["datapackage"] == "http://p/datapackage-v1.0.1.json"
    assert rows[0]["report"] is None  # a file removed from the portal has no link
    assert dataset_fields.local_time("2026-12-06T07:23:25") == "14:23 ngày 06/12/2026"
    assert dataset_fields.local_time("") == ""


def test_feed_titles_descriptions_and_ids_are_vietnamese_and_well_formed():
    assert feed_text.vi_title('Cổng - Organization: "Sở Y tế"') == 'Cổng - Cơ quan: "Sở Y tế"'
    assert feed_text.vi_title('Cổng - Group: "Y tế"') == 'Cổng - Lĩnh vực: "Y tế"'
    desc = 'Recently created or updated datasets on Cổng by organization: "Sở Y tế"'
    assert feed_text.vi_description(desc) == (
        'Các tập dữ liệu mới tạo hoặc mới cập nhật trên Cổng của cơ quan "Sở Y tế"'
    )
    guid = "tag:127.0.0.1,2026:feeds/organization/so-y-te.atom"
    assert feed_text.fixed_guid(guid) == "tag:127.0.0.1,2026:/feeds/organization/so-y-te.atom"
    assert (
        feed_text.fixed_guid("tag:h,2026:/feeds/dataset.atom") == "tag:h,2026:/feeds/dataset.atom"
    )
    link = "http://p/api/3/action/package_show?id=abc-123"
    assert feed_text.dataset_id(link) == "abc-123"
    text = feed_text.release_content(RELEASES)
    assert text is not None and text.startswith("Phiên bản 1.0.1 (PATCH), khôi phục dữ liệu")
    assert feed_text.release_content([]) is None


def test_the_schema_file_declares_the_contract_fields_and_hides_the_release_state():
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    fields = {f["field_name"]: f for f in schema["dataset_fields"]}
    contract = [
        "title",
        "notes",
        "title_en",
        "notes_en",
        "owner_org",
        "license_id",
        "version",
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
        "dulieumo_releases",
    ]
    assert set(contract) <= set(fields)
    for name in ("dulieumo_releases", "dulieumo_fingerprint", "dulieumo_datastore_alias"):
        assert fields[name]["display_snippet"] is None
    for field in fields.values():
        assert field["label"]["vi"], field["field_name"]
    codes = [c["value"] for c in fields["frequency"]["choices"]]
    assert codes == ["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]


@pytest.mark.parametrize(
    ("link", "fixed"),
    [
        ("/dataset/?query=organization&query=so-y-te", "http://p/dataset/?organization=so-y-te"),
        ("/feeds/dataset.atom?query=page&query=1.05", "http://p/feeds/dataset.atom"),
        ("/feeds/dataset.atom?query=page&query=3.4", "http://p/feeds/dataset.atom?page=3"),
        ("/feeds/group/y-te.atom", "http://p/feeds/group/y-te.atom"),
        ("http://q/feeds/dataset.atom?page=2", "http://q/feeds/dataset.atom?page=2"),
    ],
)
def test_ckans_broken_feed_links_are_repaired_and_absolute(link, fixed):
    assert feed_text.fixed_link(link, "http://p/") == fixed
    assert feed_text.page_of(fixed) == (3 if "page=3" in fixed else 2 if "page=2" in fixed else 1)


def test_the_organisation_feed_id_gets_its_slash_after_the_site_url():
    guid = "http://127.0.0.1:5120feeds/group/y-te.atom"
    assert feed_text.fixed_guid(guid) == "http://127.0.0.1:5120/feeds/group/y-te.atom"


def test_a_stored_placeholder_phone_is_not_shown():
    assert dataset_fields.shown_phone("0203 3825 XXX") is None
    assert dataset_fields.shown_phone("0203 3825 123") == "0203 3825 123"
    assert dataset_fields.shown_phone("") == ""
