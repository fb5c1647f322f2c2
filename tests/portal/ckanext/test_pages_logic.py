"""The page logic of the extension's `dulieumo_pages` plugin, without CKAN: Vietnamese
order, agency contacts, the "Báo lỗi / góp ý" e-mail, this month's releases, the report
page's local time and path scrubbing, and the site file."""

from __future__ import annotations

import datetime as dt
import json
import os
import zoneinfo
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import collation, contact, home, report_page, site  # isort: skip

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_vietnamese_order_of_agencies() -> None:
    names = [
        "Sở Y tế",
        "Sở Tài nguyên và Môi trường",
        "Sở Đầu tư",
        "Sở Du lịch",
        "Ủy ban",
        "Sở Xây dựng",
        "Trung tâm",
        "Sở Giáo dục",
    ]
    assert collation.sorted_vi(names, lambda s: s) == [
        "Sở Du lịch",
        "Sở Đầu tư",
        "Sở Giáo dục",
        "Sở Tài nguyên và Môi trường",
        "Sở Xây dựng",
        "Sở Y tế",
        "Trung tâm",
        "Ủy ban",
    ]
    assert sorted(["Sở Y tế", "Sở Đầu tư"]) == ["Sở Y tế", "Sở Đầu tư"]  # code points: wrong


def test_letters_with_marks_follow_their_base_and_tones_break_ties() -> None:
    words = ["ơn", "ăn", "ôm", "an", "ân", "om", "ưng", "ung", "đa", "da", "e", "ê"]
    assert collation.sorted_vi(words, lambda s: s) == [
        "an",
        "ăn",
        "ân",
        "da",
        "đa",
        "e",
        "ê",
        "om",
        "ôm",
        "ơn",
        "ung",
        "ưng",
    ]
    assert collation.sorted_vi(["mạ", "má", "mã", "mả", "mà", "ma"], lambda s: s) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
    ]
    # decomposed input (NFD, as some sources send it) sorts like its composed form
    assert (
        collation.sort_key("Sở Y tế")[:2]
        == collation.sort_key("So\u031b\u0309 Y te\u0302\u0301")[:2]
    )


def test_sorted_dicts_uses_the_display_name_and_can_reverse() -> None:
    orgs = [{"display_name": "Sở Y tế"}, {"title": "Sở Tài nguyên"}, {"name": "so-an"}]
    assert [collation.sorted_dicts(orgs)[i].get("display_name") for i in (2,)] == ["Sở Y tế"]
    assert collation.sorted_dicts(orgs, reverse=True)[0]["display_name"] == "Sở Y tế"


ORG = {
    "name": "so-y-te",
    "title": "Sở Y tế",
    "extras": [
        {"key": "dia_chi", "value": "651 Lê Thánh Tông, Hạ Long"},
        {"key": "dien_thoai", "value": "0203 3835 519"},
        {"key": "email", "value": "syt@quangninh.gov.vn"},
        {"key": "website", "value": "https://syt.quangninh.gov.vn"},
        {"key": "title_en", "value": "Department of Health"},
    ],
}


def test_org_contact_lists_what_the_agency_has_with_links() -> None:
    items = contact.org_contact(ORG)
    assert [i["label"] for i in items] == [
        "Địa chỉ",
        "Điện thoại",
        "Thư điện tử",
        "Trang thông tin",
    ]
    assert items[1]["href"] == "tel:02033835519"
    assert items[2]["href"] == "mailto:syt@quangninh.gov.vn"
    assert items[3]["href"] == "https://syt.quangninh.gov.vn"
    assert contact.org_contact({"extras": [{"key": "website", "value": "javascript:x"}]}) == [
        {"key": "website", "label": "Trang thông tin", "value": "javascript:x", "href": ""}
    ]
    assert contact.org_contact(None) == []


def test_feedback_mail_names_dataset_and_version_and_goes_to_its_contact() -> None:
    pkg = {
        "name": "co-so-kham-chua-benh",
        "title": "Danh sách cơ sở khám bệnh, chữa bệnh",
        "version": "1.2.0",
        "extras": [{"key": "contact_email", "value": "kcb.syt@quangninh.gov.vn"}],
        "organization": ORG,
    }
    url = urlparse(contact.feedback_mailto(pkg, "http://cong/dataset/co-so-kham-chua-benh"))
    assert url.scheme == "mailto" and unquote(url.path) == "kcb.syt@quangninh.gov.vn"
    query = parse_qs(url.query)
    assert query["subject"] == [
        "[Báo lỗi / góp ý] Danh sách cơ sở khám bệnh, chữa bệnh (phiên bản 1.2.0)"
    ]
    body = query["body"][0]
    assert "Phiên bản: 1.2.0" in body and "http://cong/dataset/co-so-kham-chua-benh" in body
    # the schema's top-level field wins; the organisation's e-mail is the last resort
    assert contact.feedback_mailto({**pkg, "contact_email": "top@x.vn"}).startswith(
        "mailto:top@x.vn?"
    )
    no_contact = {"name": "x", "title": "X", "organization": ORG}
    assert unquote(urlparse(contact.feedback_mailto(no_contact)).path) == "syt@quangninh.gov.vn"
    assert contact.feedback_mailto({"name": "x", "title": "X"}) == ""


def _pkg(*created: str) -> dict:
    releases = [{"version": f"1.0.{i}", "created": c} for i, c in enumerate(created)]
    return {"extras": [{"key": "dulieumo_releases", "value": json.dumps(releases)}]}


def test_releases_this_month_count_in_local_time() -> None:
    now = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.UTC)
    packages = [
        _pkg("2026-12-01T02:00:00+00:00", "2026-11-30T18:00:00+00:00"),  # 1 Dec 01:00 in VN
        _pkg("2026-11-30T16:00:00+00:00"),  # 30 Nov 23:00 in VN: last month
        {"dulieumo_releases": [{"version": "2.0.0", "created": "2026-12-05T00:00:00Z"}]},
        {"extras": [{"key": "dulieumo_releases", "value": "not json"}]},
    ]
    assert home.releases_in_month(packages, now, HCM) == 3


def test_report_time_is_local_with_its_zone() -> None:
    t = report_page.local_time("2026-12-06T07:24:12+00:00", "Asia/Ho_Chi_Minh")
    assert t["text"] == "14:24 ngày 06/12/2026"
    assert t["zone"] == "Asia/Ho_Chi_Minh, UTC+07:00"
    assert report_page.local_time("garbage", None)["text"] == ""


def test_report_page_never_shows_the_pipelines_path() -> None:
    report = {
        "file": "samples/so-y-te/co-so.csv",
        "findings": [{"message": "samples/so-y-te/co-so.csv: dòng 3 sai kiểu", "row": 3}],
    }
    clean = report_page.without_paths(report, report["file"], "co-so-kham-chua-benh-v1.0.0.csv")
    assert "samples/" not in json.dumps(clean, ensure_ascii=False)
    assert clean["findings"][0]["row"] == 3


def test_report_resource_is_the_versions_json_report() -> None:
    pkg = {
        "dulieumo_releases": [{"version": "1.0.1", "resources": {"release-report": "r2"}}],
        "resources": [
            {"id": "r1", "dulieumo_role": "release-report", "dulieumo_version": "1.0.0"},
            {"id": "r2", "dulieumo_role": "release-report", "dulieumo_version": "1.0.1"},
        ],
    }
    assert report_page.report_resource(pkg, "1.0.1")["id"] == "r2"
    assert report_page.report_resource(pkg, "1.0.0")["id"] == "r1"  # by its role and version
    assert report_page.report_resource(pkg, "9.9.9") is None


def test_site_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "site.json"
    assert site.read_site(path) == {} and site.read_site(None) == {}
    path.write_text(json.dumps({"title": "Cổng A"}), encoding="utf-8")
    assert site.read_site(path)["title"] == "Cổng A"
    path.write_text(json.dumps({"title": "Cổng B"}), encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 10**9,) * 2)
    assert site.read_site(path)["title"] == "Cổng B"
    path.write_text("[1, 2]", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_mtime_ns + 2 * 10**9,) * 2)
    assert site.read_site(path) == {}
