"""The dataset schema, the dataset page, release history, activity, feeds and the release
list, against the running portal (issue 14 points 3-4, issue 15 points 9-10).

One dataset (co-so-luu-tru) is published three times: 1.0.0, a data change (1.0.1) and a
rollback to 1.0.0's data (1.0.2). The spec carries temporal coverage, a contact point and
a source name, which the portal must show as the dataset schema's fields.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from ckanapi import NotAuthorized, ValidationError

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from publish.client import PortalClient
from publish.releases import Releaser
from publish.rollback import rollback
from publish.state import ReleaseState
from pull import pull_source
from tests.support.catalog import copy_catalog, read_rows, write_rows
from tests.support.catalog import read_yaml as read
from tests.support.catalog import write_yaml as write
from validate import validate_table

DATASET = "co-so-luu-tru"
SPEC = "datasets/so-du-lich/co-so-luu-tru.yaml"
CSV = Path("samples/so-du-lich/co-so-luu-tru.csv")
ATOM = "{http://www.w3.org/2005/Atom}"
#: what the metadata table must never show (internal keys, paths, the EU URI, UTC labels)
NEVER_ON_PAGE = (
    "dulieumo_releases",
    "dulieumo_fingerprint",
    "schema_ref",
    "source_spec",
    "datasets/so-du-lich",
    "samples/",
    "publications.europa.eu",
    "Last Updated",
    "Giấy phép bản quyền mở",
    "XXX",
)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_catalog(tmp_path_factory.mktemp("catalog"))
    spec = read(root, SPEC)
    spec["temporal"] = {"start": "2021-01-01", "end": "2026-09-30"}
    spec["contact"] = {"name": "Bộ phận tiếp dân, Sở Du lịch", "phone": "0203 3620 123"}
    spec["source_name"] = "Hệ thống quản lý cơ sở lưu trú của Sở Du lịch"
    write(root, SPEC, spec)
    return root


def _client(portal) -> PortalClient:
    return PortalClient(PortalTarget(portal.url, portal.token("publisher")))


def _release(root: Path, portal, tmp: Path):
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    work = tmp / f"run-{len(list(tmp.glob('run-*')))}"
    table = pull_source(spec, root=root, workdir=work)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    return Releaser(_client(portal), spec, catalog.portal, workdir=work, flow_run_id="t").publish(
        table, report, schema
    )


@pytest.fixture(scope="module")
def published(portal, root: Path, tmp_path_factory: pytest.TempPathFactory):
    """Three releases: 1.0.0, 1.0.1 (rows changed), 1.0.2 (rollback to 1.0.0's data)."""
    portal.reset()
    tmp = tmp_path_factory.mktemp("runs")
    first = _release(root, portal, tmp)
    header, rows = read_rows(root / CSV)
    rows[0]["so_phong"] = str(int(rows[0]["so_phong"]) + 1)
    write_rows(root / CSV, header, rows[:-1])
    second = _release(root, portal, tmp)
    catalog = load_catalog(root)
    third = rollback(
        _client(portal), catalog.get(DATASET), catalog.portal, "1.0.0", workdir=tmp / "rb"
    )
    assert (first.version, second.version, third.version) == ("1.0.0", "1.0.1", "1.0.2")
    return portal


def _show(portal, role: str | None = None) -> dict:
    return portal.ckan(role).action.package_show(id=DATASET)


def _text(page: str) -> str:
    page = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _section(page: str, css_class: str) -> str:
    start = page.index(css_class)
    return page[start : page.index("</section>", start)]


# ----------------------------------------------------------------------------- the schema


def test_package_show_has_the_schemas_fields_not_free_extras(published):
    pkg = _show(published)
    assert pkg["frequency"] == "quarterly"  # the code, not the EU URI
    assert pkg["language"] == "vi"
    assert pkg["title_en"] == "Tourist accommodation establishments"
    assert pkg["contact_name"] == "Bộ phận tiếp dân, Sở Du lịch"
    assert pkg["contact_email"] == "luutru.sdl@quangninh.gov.vn"  # the maintainer's
    assert pkg["contact_phone"] == "0203 3620 123"
    assert (pkg["spatial_text"], pkg["spatial_code"]) == ("Tỉnh Quảng Ninh", "22")
    assert (pkg["temporal_start"], pkg["temporal_end"]) == ("2021-01-01", "2026-09-30")
    assert pkg["source_name"] == "Hệ thống quản lý cơ sở lưu trú của Sở Du lịch"
    assert pkg["version"] == "1.0.2"
    assert pkg["license_title"] == "Creative Commons Attribution 4.0 (CC BY 4.0)"
    assert pkg["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "English" not in pkg["notes"]
    extras = {e["key"] for e in pkg["extras"]}
    assert not extras & {"frequency", "tan_suat_cap_nhat", "source_spec", "schema_ref", "ma_tinh"}
    assert not extras & {"dulieumo_releases", "dulieumo_fingerprint", "dulieumo_version"}


def test_the_release_list_is_structured_in_package_show(published):
    pkg = _show(published)
    releases = pkg["dulieumo_releases"]
    assert isinstance(releases, list)
    assert [r["version"] for r in releases] == ["1.0.2", "1.0.1", "1.0.0"]
    newest = releases[0]
    assert newest["rollback_of"] == "1.0.0"
    assert re.fullmatch(r"[0-9a-f]{64}", newest["sha256"])
    assert newest["resources"]["release-data"] in {r["id"] for r in pkg["resources"]}
    assert releases[1]["rows_changed"] == 1 and releases[1]["rows_removed"] == 1
    assert pkg["dulieumo_fingerprint"] == newest["fingerprint"]
    # the publisher reads the same state through ReleaseState
    state = ReleaseState.read(pkg)
    assert state.latest is not None and state.latest.version == "1.0.2"
    assert state.fingerprint == newest["fingerprint"]


def test_the_schema_refuses_a_placeholder_phone_and_an_unknown_frequency(published):
    admin = published.ckan("sysadmin")
    with pytest.raises(ValidationError) as info:
        admin.action.package_patch(id=DATASET, contact_phone="0203 3825 XXX")
    assert "contact_phone" in info.value.error_dict
    with pytest.raises(ValidationError) as info:
        admin.action.package_patch(id=DATASET, frequency="hourly")
    assert "frequency" in info.value.error_dict
    assert _show(published)["contact_phone"] == "0203 3620 123"  # nothing was written


def test_an_old_dataset_with_free_extras_is_migrated_at_its_next_release(
    published, root: Path, tmp_path: Path
):
    """A portal published before the schema: the next release rewrites the metadata as
    fields, drops the old extras and keeps publishing."""
    admin = published.ckan("sysadmin")
    old = {
        "tan_suat_cap_nhat": "Hằng quý",
        "source_spec": "datasets/so-du-lich/co-so-luu-tru.yaml",
        "schema_ref": "schemas/so-du-lich/co-so-luu-tru.json",
        "ma_tinh": "22",
        "publisher_agency": "so-du-lich",
        "description_en": "Tourist accommodation",
    }
    pkg = _show(published, "sysadmin")
    admin.action.package_patch(
        id=DATASET,
        extras=[*pkg["extras"], *({"key": k, "value": v} for k, v in old.items())],
        notes=pkg["notes"] + "\n\n---\n\n*English:* Tourist accommodation",
    )
    assert set(old) <= {e["key"] for e in _show(published)["extras"]}
    result = _release(root, published, tmp_path)
    assert result.action == "released"  # the metadata changed: a new release
    pkg = _show(published)
    assert not set(old) & {e["key"] for e in pkg["extras"]}
    assert "English" not in pkg["notes"]
    assert pkg["frequency"] == "quarterly" and pkg["version"] == result.version
    assert [r["version"] for r in pkg["dulieumo_releases"]][:2] == [result.version, "1.0.2"]
    assert _release(root, published, tmp_path).action == "unchanged"


# ----------------------------------------------------------------------------- the page


@pytest.fixture(scope="module")
def page(published) -> str:
    resp = requests.get(f"{published.url}/dataset/{DATASET}", timeout=60)
    assert resp.status_code == 200
    return resp.text


def test_the_metadata_table_shows_readable_fields_in_vietnamese(page):
    table = _text(_section(page, "dulieumo-metadata"))
    for label, value in [
        ("Cơ quan công bố", "Sở Du lịch"),
        ("Tần suất cập nhật", "Hằng quý"),
        ("Đầu mối liên hệ", "Bộ phận tiếp dân, Sở Du lịch"),
        ("Thư điện tử liên hệ", "luutru.sdl@quangninh.gov.vn"),
        ("Điện thoại liên hệ", "0203 3620 123"),
        ("Phạm vi địa lý", "Tỉnh Quảng Ninh"),
        ("Nguồn dữ liệu", "Hệ thống quản lý cơ sở lưu trú của Sở Du lịch"),
        ("Giấy phép", "Creative Commons Attribution 4.0 (CC BY 4.0)"),
        ("Phiên bản hiện hành", "1.0."),
        ("Ngôn ngữ", "Tiếng Việt"),
    ]:
        assert re.search(re.escape(label) + r" " + re.escape(value), table), (label, table)
    assert "2021-01-01" in table and "2026-09-30" in table
    for phrase in NEVER_ON_PAGE:
        assert phrase not in table, phrase
    assert "Giấy phép bản quyền mở" not in _text(page)


def test_metadata_times_are_local_not_utc(published, page):
    pkg = _show(published)
    table = _text(_section(page, "dulieumo-metadata"))
    modified = pkg["metadata_modified"]  # naive UTC
    hour = (int(modified[11:13]) + 7) % 24
    assert re.search(rf"Cập nhật thông tin lần cuối {hour:02d}:{modified[14:16]} ngày", table)
    assert "Asia/Ho_Chi_Minh" in table


def test_release_history_lists_every_version_with_kind_changes_and_files(published, page):
    history = _section(page, "dulieumo-release-history")
    text = _text(history)
    assert (
        text.index("Phiên bản 1.0.2")
        < text.index("Phiên bản 1.0.1")
        < text.index("Phiên bản 1.0.0")
    )
    assert "PATCH" in text and "MAJOR" in text
    assert "Khôi phục phiên bản 1.0.0" in text
    assert "sửa 1 dòng" in text  # 1.0.1's row diff
    assert re.search(r"Phát hành lúc \d\d:\d\d ngày \d\d/\d\d/\d{4}", text)
    links = re.findall(r'href="([^"]+)"', history)
    for version in ("1.0.0", "1.0.1", "1.0.2"):
        mine = [link for link in links if f"v{version}" in link]
        assert any(link.endswith(f"co-so-luu-tru-v{version}.csv") for link in mine), mine
        assert any(f"datapackage-v{version}.json" in link for link in mine), mine
        assert any(f"validation-report-v{version}" in link for link in mine), mine
    for link in links[:3]:
        assert requests.get(html.unescape(link), timeout=60).status_code == 200


def test_the_stable_latest_link_is_shown_copyable_and_downloads_the_newest(published, page):
    section = _section(page, "dulieumo-latest")
    url = html.unescape(re.search(r'id="dulieumo-latest-url" value="([^"]+)"', section)[1])
    assert "/download" in url and "v1.0" not in url  # no version in the stable address
    assert 'id="dulieumo-copy-latest"' in section and "Sao chép" in section
    pkg = _show(published)
    newest = pkg["dulieumo_releases"][0]
    body = requests.get(url, timeout=60).content
    import hashlib

    assert hashlib.sha256(body).hexdigest() == newest["sha256"]


# ----------------------------------------------------------------------------- activity


def test_each_release_and_the_rollback_are_in_the_public_activity_streams(published):
    anon = published.ckan()
    for stream in (
        anon.action.package_activity_list(id=DATASET),
        anon.action.organization_activity_list(id="so-du-lich"),
    ):
        released = [
            a["data"]["dulieumo_release"]
            for a in stream
            if (a.get("data") or {}).get("dulieumo_release")
        ]
        versions = [r["version"] for r in released]
        assert {"1.0.0", "1.0.1", "1.0.2"} <= set(versions), versions
        rollback_item = next(r for r in released if r["version"] == "1.0.2")
        assert rollback_item["rollback_of"] == "1.0.0"


def test_the_activity_page_words_releases_in_vietnamese(published):
    text = _text(requests.get(f"{published.url}/dataset/activity/{DATASET}", timeout=60).text)
    assert "đã phát hành phiên bản 1.0.1 (PATCH) của tập dữ liệu" in text
    assert "đã khôi phục dữ liệu của phiên bản 1.0.0 cho tập dữ liệu" in text
    org = _text(requests.get(f"{published.url}/organization/activity/so-du-lich", timeout=60).text)
    assert "đã phát hành phiên bản 1.0.0 (MAJOR)" in org


# ----------------------------------------------------------------------------- release list


def test_release_list_action_gives_each_release_as_data(published):
    result = published.ckan().action.dulieumo_release_list(id=DATASET)
    assert result["dataset"] == DATASET
    assert result["version"] == result["releases"][0]["version"] == _show(published)["version"]
    by_version = {r["version"]: r for r in result["releases"]}
    first = result["releases"][-1]
    assert (first["version"], first["kind"]) == ("1.0.0", "MAJOR")
    assert by_version["1.0.1"]["kind"] == "PATCH" and by_version["1.0.1"]["rollback_of"] is None
    assert by_version["1.0.2"]["rollback_of"] == "1.0.0"
    data = first["resources"]["release-data"]
    assert data["url"].endswith("co-so-luu-tru-v1.0.0.csv") and data["id"]
    assert isinstance(first["rows"], int) and re.fullmatch(r"[0-9a-f]{64}", first["sha256"])
    # answered on GET too
    resp = requests.get(
        f"{published.url}/api/3/action/dulieumo_release_list", params={"id": DATASET}, timeout=60
    )
    assert resp.status_code == 200 and resp.json()["result"]["dataset"] == DATASET


def test_release_list_of_a_private_dataset_only_for_those_allowed(published):
    admin = published.ckan("sysadmin")
    admin.action.package_patch(id=DATASET, private=True)
    try:
        with pytest.raises(NotAuthorized):
            published.ckan().action.dulieumo_release_list(id=DATASET)
        resp = requests.get(
            f"{published.url}/api/3/action/dulieumo_release_list",
            params={"id": DATASET},
            timeout=60,
        )
        assert resp.status_code == 403 and "1.0.0" not in resp.text
        assert admin.action.dulieumo_release_list(id=DATASET)["version"]
        publisher = published.ckan("publisher")  # an editor of the dataset's organisation
        assert publisher.action.dulieumo_release_list(id=DATASET)["releases"]
    finally:
        admin.action.package_patch(id=DATASET, private=False)


def test_release_list_refuses_a_bad_id_with_a_message(published):
    with pytest.raises(ValidationError) as info:
        published.ckan().action.dulieumo_release_list(id="")
    assert "id" in info.value.error_dict


# ----------------------------------------------------------------------------- feeds


def _feed(url: str) -> ET.Element:
    resp = requests.get(url, timeout=60)
    assert resp.status_code == 200
    return ET.fromstring(resp.content)


@pytest.mark.parametrize(
    "path",
    ["/feeds/dataset.atom", "/feeds/organization/so-du-lich.atom", "/feeds/group/du-lich.atom"],
)
def test_feeds_are_vietnamese_with_entries_linking_to_dataset_pages(published, path):
    feed = _feed(published.url + path)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    assert feed.find(f"{ATOM}id").text == published.url + path  # the slash is there
    for link in feed.findall(f"{ATOM}link"):
        assert link.get("href").startswith(published.url), link.attrib
        assert "query=" not in link.get("href")
        assert not re.search(r"page=[^&]*\.", link.get("href")), link.attrib  # whole pages
    entry = next(
        e for e in feed.findall(f"{ATOM}entry") if DATASET in e.find(f"{ATOM}link").get("href")
    )
    links = [link.get("href") for link in entry.findall(f"{ATOM}link")]
    assert links == [f"{published.url}/dataset/{DATASET}"]
    assert "/api/" not in " ".join(links)
    content = entry.find(f"{ATOM}content").text
    assert content.startswith("Phiên bản 1.0.") and "phát hành lúc" in content
    subtitle = feed.find(f"{ATOM}subtitle").text
    assert "Recently" not in subtitle and "Các tập dữ liệu" in subtitle


def test_the_dataset_release_feed_has_one_vietnamese_entry_per_release(published, page):
    url = f"{published.url}/dataset/{DATASET}/phien-ban.atom"
    assert f"/dataset/{DATASET}/phien-ban.atom" in _section(page, "dulieumo-release-history")
    feed = _feed(url)
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "vi"
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    versions = [r["version"] for r in _show(published)["dulieumo_releases"]]
    assert len(entries) == len(versions)
    assert titles[-1] == "Phiên bản 1.0.0 (MAJOR)"
    assert "Phiên bản 1.0.2: khôi phục dữ liệu của phiên bản 1.0.0" in titles
    assert len({e.find(f"{ATOM}id").text for e in entries}) == len(entries)
    for entry in entries:
        links = entry.findall(f"{ATOM}link")
        assert [link.get("href") for link in links] == [
            f"{published.url}/dataset/{DATASET}#lich-su-phien-ban"
        ]
        assert links[0].get("rel") in (None, "alternate")
        assert entry.find(f"{ATOM}content").text.startswith("Phát hành lúc ")
    admin = published.ckan("sysadmin")
    admin.action.package_patch(id=DATASET, private=True)
    try:
        resp = requests.get(url, timeout=60)
        assert resp.status_code == 404 and "1.0.0" not in resp.text
    finally:
        admin.action.package_patch(id=DATASET, private=False)


def test_a_private_datasets_release_stays_out_of_the_public_streams(
    published, root: Path, tmp_path: Path
):
    admin = published.ckan("sysadmin")
    admin.action.package_patch(id=DATASET, private=True)
    try:
        header, rows = read_rows(root / CSV)
        rows[1]["so_phong"] = str(int(rows[1]["so_phong"]) + 5)
        write_rows(root / CSV, header, rows)
        version = _release(root, published, tmp_path).version
        public = published.ckan().action.organization_activity_list(id="so-du-lich")
        seen = {
            ((a.get("data") or {}).get("dulieumo_release") or {}).get("version") for a in public
        }
        assert version not in seen
        with pytest.raises(NotAuthorized):
            published.ckan().action.package_activity_list(id=DATASET)
        members = admin.action.package_activity_list(id=DATASET)
        assert version in {
            ((a.get("data") or {}).get("dulieumo_release") or {}).get("version") for a in members
        }
    finally:
        admin.action.package_patch(id=DATASET, private=False)
