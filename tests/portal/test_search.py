"""The PostgreSQL search backend (ckanext-dulieumo) against the running portal."""

from __future__ import annotations

import pytest
import requests
from ckanapi import NotAuthorized

ORG_A, ORG_B = "so-y-te", "so-du-lich"

DATASETS = [
    # name, org, title, notes, tags, groups, private, extras, resource formats
    ("benh-vien-tinh", ORG_A, "Danh sách bệnh viện tỉnh Quảng Ninh",
     "Bệnh viện đa khoa và chuyên khoa tuyến tỉnh.", ["y tế", "bệnh viện"], ["y-te"], False,
     {"tan_suat": "hang-thang"}, ["CSV"]),
    ("tram-y-te-xa", ORG_A, "Trạm y tế xã, phường",
     "Mạng lưới trạm y tế cơ sở.", ["y tế"], ["y-te"], False, {"tan_suat": "hang-nam"},
     ["CSV", "JSON"]),
    ("duong-giao-thong", ORG_B, "Đường giao thông đến điểm du lịch",
     "Tuyến đường tới Vịnh Hạ Long và Đảo Cô Tô.", ["du lịch", "giao thông"], ["du-lich"],
     False, {}, ["XLSX"]),
    ("khach-san-ha-long", ORG_B, "Khách sạn Hạ Long",
     "Cơ sở lưu trú tại thành phố Hạ Long.", ["du lịch", "lưu trú"], ["du-lich"], False,
     {"tan_suat": "hang-quy"}, ["CSV"]),
    ("ho-so-noi-bo", ORG_A, "Hồ sơ nội bộ bệnh viện",
     "Dữ liệu chưa công khai.", ["y tế"], [], True, {}, ["CSV"]),
    ("du-lieu-da-xoa", ORG_B, "Bệnh viện đã xóa", "Đã xóa.", ["y tế"], [], False, {}, []),
]


@pytest.fixture(scope="module")
def seeded(portal):
    portal.reset()
    admin = portal.ckan("sysadmin")
    for name, org, title, notes, tags, groups, private, extras, formats in DATASETS:
        admin.action.package_create(
            name=name, owner_org=org, title=title, notes=notes, private=private,
            license_id="cc-by" if org == ORG_A else "odc-by",
            tags=[{"name": t} for t in tags], groups=[{"name": g} for g in groups],
            extras=[{"key": k, "value": v} for k, v in extras.items()],
            resources=[{"url": f"http://example.org/{name}.{f.lower()}", "format": f,
                        "name": f"Tệp {f}"} for f in formats],
        )
    admin.action.package_delete(id="du-lieu-da-xoa")
    try:
        admin.action.user_show(id="nguoi-ngoai")
    except Exception:
        admin.action.user_create(name="nguoi-ngoai", email="ngoai@example.org",
                                 password="mat-khau-nguoi-ngoai-123")
    outsider = admin.action.api_token_create(user="nguoi-ngoai", name="search")["token"]
    return {"outsider": outsider}


def search(portal, role=None, token=None, **params):
    headers = {"Authorization": token or portal.token(role)} if (role or token) else {}
    resp = requests.get(f"{portal.url}/api/3/action/package_search", params=params,
                        headers=headers, timeout=30)
    return resp


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.text
    return {r["name"] for r in resp.json()["result"]["results"]}


PUBLIC = {"benh-vien-tinh", "tram-y-te-xa", "duong-giao-thong", "khach-san-ha-long"}


# ----------------------------------------------------------------------------- free text

@pytest.mark.parametrize(("q", "expected"), [
    ("bệnh viện", {"benh-vien-tinh"}),
    ("benh vien", {"benh-vien-tinh"}),
    ("BENH VIEN", {"benh-vien-tinh"}),
    ("duong", {"duong-giao-thong"}),
    ("Đường", {"duong-giao-thong"}),
    ("ha long", {"khach-san-ha-long", "duong-giao-thong"}),
    ("co to", {"duong-giao-thong"}),
    ("tram y te", {"tram-y-te-xa"}),
    ("khach", {"khach-san-ha-long"}),
    ("khong-co-gi-ca", set()),
])
def test_free_text_is_diacritic_insensitive(seeded, portal, q, expected):
    assert names(search(portal, q=q)) == expected


def test_empty_query_lists_public_active_datasets(seeded, portal):
    resp = search(portal, rows=100)
    assert names(resp) == PUBLIC
    assert resp.json()["result"]["count"] == 4


# ----------------------------------------------------------------------------- filters

@pytest.mark.parametrize(("fq", "expected"), [
    (f"organization:{ORG_A}", {"benh-vien-tinh", "tram-y-te-xa"}),
    ('groups:"du-lich"', {"duong-giao-thong", "khach-san-ha-long"}),
    ('tags:"giao thông"', {"duong-giao-thong"}),
    ("res_format:JSON", {"tram-y-te-xa"}),
    ("license_id:odc-by", {"duong-giao-thong", "khach-san-ha-long"}),
    ("name:tram-y-te-xa", {"tram-y-te-xa"}),
    ("type:dataset", PUBLIC),
    ("tan_suat:hang-thang", {"benh-vien-tinh"}),
    ("extras_tan_suat:hang-quy", {"khach-san-ha-long"}),
    ("tan_suat:*", {"benh-vien-tinh", "tram-y-te-xa", "khach-san-ha-long"}),
    ("-organization:so-y-te", {"duong-giao-thong", "khach-san-ha-long"}),
    ('tags:("giao thông" OR "lưu trú")', {"duong-giao-thong", "khach-san-ha-long"}),
    ("name:khach*", {"khach-san-ha-long"}),
    (f"organization:{ORG_A} AND res_format:CSV", {"benh-vien-tinh", "tram-y-te-xa"}),
])
def test_fq_filters(seeded, portal, fq, expected):
    assert names(search(portal, fq=fq, rows=100)) == expected


def test_q_with_fields_and_text_combined(seeded, portal):
    assert names(search(portal, q='tags:"du lịch" khach')) == {"khach-san-ha-long"}
    assert names(search(portal, q="name:benh-vien-tinh OR name:tram-y-te-xa")) == {
        "benh-vien-tinh", "tram-y-te-xa"}


# ----------------------------------------------------------------------------- facets

def test_facets_with_counts(seeded, portal):
    resp = search(portal, **{"facet.field": '["organization", "tags", "res_format", "groups"]'})
    facets = resp.json()["result"]["facets"]
    assert facets["organization"] == {ORG_A: 2, ORG_B: 2}
    assert facets["tags"]["y tế"] == 2 and facets["tags"]["du lịch"] == 2
    assert facets["res_format"]["CSV"] == 3
    assert facets["groups"] == {"y-te": 2, "du-lich": 2}


def test_facets_follow_the_query(seeded, portal):
    resp = search(portal, q="benh vien", **{"facet.field": '["organization"]'})
    assert resp.json()["result"]["facets"]["organization"] == {ORG_A: 1}


def test_facet_limit(seeded, portal):
    resp = search(portal, **{"facet.field": '["tags"]', "facet.limit": 1})
    tags = resp.json()["result"]["facets"]["tags"]
    assert len(tags) == 1


# ----------------------------------------------------------------------------- sort, paging

def test_sort_by_name(seeded, portal):
    asc = [r["name"] for r in search(portal, sort="name asc").json()["result"]["results"]]
    assert asc == sorted(PUBLIC)
    desc = [r["name"] for r in search(portal, sort="name desc").json()["result"]["results"]]
    assert desc == sorted(PUBLIC, reverse=True)


def test_sort_by_title_ignores_diacritics(seeded, portal):
    got = [r["title"] for r in search(portal, sort="title_string asc").json()["result"]
           ["results"]]
    assert got[0].startswith("Danh sách") and got[1].startswith("Đường")


def test_sort_by_metadata_modified(seeded, portal):
    admin = portal.ckan("sysadmin")
    admin.action.package_patch(id="tram-y-te-xa", notes="Cập nhật mới nhất.")
    got = [r["name"] for r in search(portal, sort="metadata_modified desc").json()["result"]
           ["results"]]
    assert got[0] == "tram-y-te-xa"


def test_score_ranks_title_matches_first(seeded, portal):
    got = [r["name"] for r in search(portal, q="ha long", sort="score desc").json()["result"]
           ["results"]]
    assert got[0] == "khach-san-ha-long"


def test_paging_rows_and_start(seeded, portal):
    pages = [names(search(portal, sort="name asc", rows=2, start=s)) for s in (0, 2, 4)]
    assert pages[0] | pages[1] == PUBLIC and pages[0].isdisjoint(pages[1])
    assert pages[2] == set()
    assert search(portal, rows=2).json()["result"]["count"] == 4


# ----------------------------------------------------------------------------- permissions

def test_private_dataset_hidden_from_anonymous(seeded, portal):
    assert "ho-so-noi-bo" not in names(search(portal, q="noi bo", include_private=True))


def test_private_dataset_visible_to_org_editor(seeded, portal):
    found = names(search(portal, "publisher", q="noi bo", include_private=True))
    assert found == {"ho-so-noi-bo"}


def test_private_dataset_visible_to_sysadmin(seeded, portal):
    assert names(search(portal, "sysadmin", q="noi bo", include_private=True)) == {
        "ho-so-noi-bo"}


def test_private_dataset_hidden_from_non_member(seeded, portal):
    found = names(search(portal, token=seeded["outsider"], q="noi bo", include_private=True))
    assert found == set()


def test_deleted_dataset_excluded(seeded, portal):
    assert "du-lieu-da-xoa" not in names(search(portal, "sysadmin", q="da xoa",
                                                include_private=True))
    # CKAN's default (ckan.search.remove_deleted_packages) drops deleted datasets from the
    # index; the dataset itself is still there for a sysadmin
    assert portal.ckan("sysadmin").action.package_show(id="du-lieu-da-xoa")["state"] == "deleted"


# ----------------------------------------------------------------------------- counts, autocomplete

def test_organisation_and_group_dataset_counts(seeded, portal):
    orgs = {o["name"]: o["package_count"]
            for o in portal.ckan().action.organization_list(all_fields=True)}
    assert orgs[ORG_A] == 2 and orgs[ORG_B] == 2
    groups = {g["name"]: g["package_count"]
              for g in portal.ckan().action.group_list(all_fields=True)}
    assert groups["y-te"] == 2 and groups["du-lich"] == 2
    assert portal.ckan().action.organization_show(id=ORG_B)["package_count"] == 2


def test_autocomplete(seeded, portal):
    got = {r["name"] for r in portal.ckan().action.package_autocomplete(q="khach")}
    assert got == {"khach-san-ha-long"}


def test_index_follows_updates(seeded, portal):
    admin = portal.ckan("sysadmin")
    admin.action.package_patch(id="duong-giao-thong", title="Cầu cảng Vân Đồn")
    assert names(search(portal, q="van don")) == {"duong-giao-thong"}
    admin.action.package_patch(id="duong-giao-thong", title="Đường giao thông đến điểm du lịch")
    assert names(search(portal, q="van don")) == set()


# ----------------------------------------------------------------------------- errors, pages

@pytest.mark.parametrize("params", [
    {"q": "title:benh~2"},
    {"q": "metadata_modified:[2020-01-01T00:00:00Z TO NOW]"},
    {"q": "{!lucene}name:x"},
    {"fq": "name:b?nh"},
    {"q": "title:benh^3"},
    {"sort": "views_recent desc"},
    {"sort": "name sideways"},
])
def test_unsupported_syntax_is_a_400_with_a_message(seeded, portal, params):
    resp = search(portal, **params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False
    assert resp.json()["error"]["message"]


@pytest.mark.parametrize("path", ["/", "/dataset", "/dataset?q=benh+vien",
                                  "/dataset/benh-vien-tinh", "/organization",
                                  f"/organization/{ORG_A}", "/group"])
def test_pages_render_in_vietnamese(seeded, portal, path):
    resp = requests.get(portal.url + path, timeout=30)
    assert resp.status_code == 200
    assert 'lang="vi"' in resp.text
    assert "Tổ chức" in resp.text or "Dữ liệu" in resp.text


def test_dataset_page_search_finds_without_diacritics(seeded, portal):
    resp = requests.get(f"{portal.url}/dataset", params={"q": "benh vien"}, timeout=30)
    assert "Danh sách bệnh viện tỉnh Quảng Ninh" in resp.text
    assert "Khách sạn Hạ Long" not in resp.text


def test_editor_cannot_see_private_data_of_another_org_via_show(seeded, portal):
    with pytest.raises(NotAuthorized):
        portal.ckan().action.package_show(id="ho-so-noi-bo")
