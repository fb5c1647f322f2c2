"""The PostgreSQL search backend (ckanext-dulieumo) against the running portal, over HTTP.

Uses only the `portal` fixture (tests/conftest.py). The module fixture resets the portal and
creates its own organisations, groups, users and datasets (Vietnamese titles); the reset test
runs last because it empties the portal again.
"""

from __future__ import annotations

import pytest
import requests
from ckanapi import NotAuthorized, NotFound, RemoteCKAN

ORG_A, ORG_B = "ktts-so-y-te", "ktts-so-du-lich"
GROUP_A, GROUP_B = "ktts-y-te", "ktts-du-lich"
DRAFT = "ban-nhap-dau-tu"

DATASETS = [
    # name, org, title, notes, tags, groups, private, extras, resource formats
    (
        "benh-vien-tinh",
        ORG_A,
        "Danh sách bệnh viện tỉnh Quảng Ninh",
        "Bệnh viện đa khoa và chuyên khoa tuyến tỉnh.",
        ["y tế", "bệnh viện"],
        [GROUP_A],
        False,
        {"tan_suat": "hang-thang"},
        ["CSV"],
    ),
    (
        "tram-y-te-xa",
        ORG_A,
        "Trạm y tế xã, phường",
        "Mạng lưới trạm y tế cơ sở.",
        ["y tế"],
        [GROUP_A],
        False,
        {"tan_suat": "hang-nam"},
        ["CSV", "JSON", "CSV"],
    ),
    (
        "duong-giao-thong",
        ORG_B,
        "Đường giao thông đến điểm du lịch",
        "Tuyến đường tới Vịnh Hạ Long và Đảo Cô Tô.",
        ["du lịch", "giao thông"],
        [GROUP_B],
        False,
        {},
        ["XLSX"],
    ),
    (
        "khach-san-ha-long",
        ORG_B,
        "Khách sạn Hạ Long",
        "Cơ sở lưu trú tại thành phố Hạ Long.",
        ["du lịch", "lưu trú"],
        [GROUP_B],
        False,
        {"tan_suat": "hang-quy"},
        ["CSV"],
    ),
    (
        "ho-so-noi-bo",
        ORG_A,
        "Hồ sơ nội bộ bệnh viện",
        "Dữ liệu chưa công khai.",
        ["y tế"],
        [],
        True,
        {},
        ["CSV"],
    ),
    ("du-lieu-da-xoa", ORG_B, "Bệnh viện đã xóa", "Đã xóa.", ["y tế"], [], False, {}, []),
]


@pytest.fixture(scope="module")
def seeded(portal):
    portal.reset()
    admin = portal.ckan("sysadmin")
    publisher = portal.ckan("publisher").action.user_show()["name"]
    for org, title in (
        (ORG_A, "Sở Y tế (kiểm thử tìm kiếm)"),
        (ORG_B, "Sở Du lịch (kiểm thử tìm kiếm)"),
    ):
        admin.action.organization_create(name=org, title=title)
    admin.action.organization_member_create(id=ORG_A, username=publisher, role="editor")
    for group, title in ((GROUP_A, "Y tế"), (GROUP_B, "Du lịch")):
        admin.action.group_create(name=group, title=title)
    for name, org, title, notes, tags, groups, private, extras, formats in DATASETS:
        admin.action.package_create(
            name=name,
            owner_org=org,
            title=title,
            notes=notes,
            private=private,
            license_id="cc-by" if org == ORG_A else "odc-by",
            tags=[{"name": t} for t in tags],
            groups=[{"name": g} for g in groups],
            extras=[{"key": k, "value": v} for k, v in extras.items()],
            resources=[
                {"url": f"http://example.org/{name}.{f.lower()}", "format": f, "name": f"Tệp {f}"}
                for f in formats
            ],
        )
    admin.action.package_delete(id="du-lieu-da-xoa")
    # a draft in ORG_A (only a sysadmin may set the state): org members see it on request
    admin.action.package_create(
        name=DRAFT, owner_org=ORG_A, title="Bản nháp kế hoạch đầu tư công", state="draft"
    )
    try:
        admin.action.user_show(id="nguoi-ngoai")  # users survive resets
    except NotFound:
        admin.action.user_create(
            name="nguoi-ngoai", email="ngoai@example.org", password="mat-khau-nguoi-ngoai-123"
        )
    outsider = admin.action.api_token_create(user="nguoi-ngoai", name="search")["token"]
    return {"outsider": outsider}


def search(portal, role=None, token=None, **params):
    headers = {"Authorization": token or portal.token(role)} if (role or token) else {}
    resp = requests.get(
        f"{portal.url}/api/3/action/package_search", params=params, headers=headers, timeout=30
    )
    return resp


def names(resp) -> set[str]:
    assert resp.status_code == 200, resp.text
    return {r["name"] for r in resp.json()["result"]["results"]}


PUBLIC = {"benh-vien-tinh", "tram-y-te-xa", "duong-giao-thong", "khach-san-ha-long"}


# ----------------------------------------------------------------------------- free text


@pytest.mark.parametrize(
    ("q", "expected"),
    [
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
    ],
)
def test_free_text_is_diacritic_insensitive(seeded, portal, q, expected):
    assert names(search(portal, q=q)) == expected


def test_empty_query_lists_public_active_datasets(seeded, portal):
    resp = search(portal, rows=100)
    assert names(resp) == PUBLIC
    assert resp.json()["result"]["count"] == 4


# ----------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        (f"organization:{ORG_A}", {"benh-vien-tinh", "tram-y-te-xa"}),
        (f'groups:"{GROUP_B}"', {"duong-giao-thong", "khach-san-ha-long"}),
        ('tags:"giao thông"', {"duong-giao-thong"}),
        ("res_format:JSON", {"tram-y-te-xa"}),
        ("license_id:odc-by", {"duong-giao-thong", "khach-san-ha-long"}),
        ("name:tram-y-te-xa", {"tram-y-te-xa"}),
        ("type:dataset", PUBLIC),
        ("tan_suat:hang-thang", {"benh-vien-tinh"}),
        ("extras_tan_suat:hang-quy", {"khach-san-ha-long"}),
        ("tan_suat:*", {"benh-vien-tinh", "tram-y-te-xa", "khach-san-ha-long"}),
        (f"-organization:{ORG_A}", {"duong-giao-thong", "khach-san-ha-long"}),
        ('tags:("giao thông" OR "lưu trú")', {"duong-giao-thong", "khach-san-ha-long"}),
        ("name:khach*", {"khach-san-ha-long"}),
        (f"organization:{ORG_A} AND res_format:CSV", {"benh-vien-tinh", "tram-y-te-xa"}),
    ],
)
def test_fq_filters(seeded, portal, fq, expected):
    assert names(search(portal, fq=fq, rows=100)) == expected


def test_q_with_fields_and_text_combined(seeded, portal):
    assert names(search(portal, q='tags:"du lịch" khach')) == {"khach-san-ha-long"}
    assert names(search(portal, q="name:benh-vien-tinh OR name:tram-y-te-xa")) == {
        "benh-vien-tinh",
        "tram-y-te-xa",
    }


# ----------------------------------------------------------------------------- facets


def test_facets_with_counts(seeded, portal):
    resp = search(portal, **{"facet.field": '["organization", "tags", "res_format", "groups"]'})
    facets = resp.json()["result"]["facets"]
    assert facets["organization"] == {ORG_A: 2, ORG_B: 2}
    assert facets["tags"]["y tế"] == 2 and facets["tags"]["du lịch"] == 2
    assert facets["res_format"]["CSV"] == 3
    assert facets["groups"] == {GROUP_A: 2, GROUP_B: 2}


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
    got = [r["title"] for r in search(portal, sort="title_string asc").json()["result"]["results"]]
    assert got[0].startswith("Danh sách") and got[1].startswith("Đường")


def test_sort_by_metadata_modified(seeded, portal):
    admin = portal.ckan("sysadmin")
    admin.action.package_patch(id="tram-y-te-xa", notes="Cập nhật mới nhất.")
    got = [
        r["name"] for r in search(portal, sort="metadata_modified desc").json()["result"]["results"]
    ]
    assert got[0] == "tram-y-te-xa"


def test_score_ranks_title_matches_first(seeded, portal):
    got = [
        r["name"]
        for r in search(portal, q="ha long", sort="score desc").json()["result"]["results"]
    ]
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
    assert names(search(portal, "sysadmin", q="noi bo", include_private=True)) == {"ho-so-noi-bo"}


def test_private_dataset_hidden_from_non_member(seeded, portal):
    found = names(search(portal, token=seeded["outsider"], q="noi bo", include_private=True))
    assert found == set()


def test_deleted_dataset_excluded(seeded, portal):
    assert "du-lieu-da-xoa" not in names(
        search(portal, "sysadmin", q="da xoa", include_private=True)
    )
    # CKAN's default (ckan.search.remove_deleted_packages) drops deleted datasets from the
    # index; the dataset itself is still there for a sysadmin
    assert portal.ckan("sysadmin").action.package_show(id="du-lieu-da-xoa")["state"] == "deleted"


# ----------------------------------------------------------------------------- counts, autocomplete


def test_organisation_and_group_dataset_counts(seeded, portal):
    orgs = {
        o["name"]: o["package_count"]
        for o in portal.ckan().action.organization_list(all_fields=True)
    }
    assert orgs[ORG_A] == 2 and orgs[ORG_B] == 2
    groups = {
        g["name"]: g["package_count"] for g in portal.ckan().action.group_list(all_fields=True)
    }
    assert groups[GROUP_A] == 2 and groups[GROUP_B] == 2
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


@pytest.mark.parametrize(
    "params",
    [
        {"q": "title:benh~2"},
        {"q": "metadata_modified:[2020-01-01 TO NOW-]"},
        {"q": "title:[a TO b]"},
        {"q": "{!lucene}name:x"},
        {"fq": "name:b?nh"},
        {"q": "title:benh^3"},
        {"sort": "views_recent desc"},
        {"sort": "name sideways"},
    ],
)
def test_unsupported_syntax_is_a_400_with_a_message(seeded, portal, params):
    resp = search(portal, **params)
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False
    assert resp.json()["error"]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dataset",
        "/dataset?q=benh+vien",
        "/dataset/benh-vien-tinh",
        "/organization",
        f"/organization/{ORG_A}",
        "/group",
    ],
)
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


# ----------------------------------------------------------------------------- more syntax


def test_fielded_text_query_searches_that_field_only(seeded, portal):
    # "Hạ Long" is in both datasets' text but only in one title
    assert names(search(portal, q='title:"ha long"')) == {"khach-san-ha-long"}
    assert names(search(portal, q='notes:"vinh ha long"')) == {"duong-giao-thong"}


def test_free_text_punctuation_is_plain_text(seeded, portal):
    assert names(search(portal, q="bệnh viện ở đâu?")) == set()
    assert names(search(portal, q="(bệnh viện)?")) == {"benh-vien-tinh"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"fq": "khong_co_truong_nay:abc"}, "khong_co_truong_nay"),
        ({"q": "truong_la:abc"}, "truong_la"),
        ({"fq": f"organization:{ORG_A} AND mau_sac:do"}, "mau_sac"),
    ],
)
def test_unknown_field_is_a_400_naming_it(seeded, portal, params, field):
    resp = search(portal, **params)
    assert resp.status_code == 400, resp.text
    message = resp.json()["error"]["message"]
    assert "Unknown search field" in message and field in message


def test_facet_counts_a_dataset_once_per_value(seeded, portal):
    # tram-y-te-xa has two CSV resources: still one dataset
    resp = search(portal, fq=f"organization:{ORG_A}", **{"facet.field": '["res_format"]'})
    assert resp.json()["result"]["facets"]["res_format"] == {"CSV": 2, "JSON": 1}


def test_facet_mincount(seeded, portal):
    resp = search(portal, **{"facet.field": '["res_format", "license_id"]', "facet.mincount": 3})
    facets = resp.json()["result"]["facets"]
    assert facets["res_format"] == {"CSV": 3}
    assert facets["license_id"] == {}


def test_search_facets_have_display_names(seeded, portal):
    resp = search(portal, **{"facet.field": '["organization"]'})
    items = resp.json()["result"]["search_facets"]["organization"]["items"]
    assert {i["display_name"] for i in items} == {
        "Sở Y tế (kiểm thử tìm kiếm)",
        "Sở Du lịch (kiểm thử tìm kiếm)",
    }


def test_sort_by_metadata_modified_ascending(seeded, portal):
    admin = portal.ckan("sysadmin")
    admin.action.package_patch(id="benh-vien-tinh", notes="Sửa lần cuối.")
    got = [
        r["name"] for r in search(portal, sort="metadata_modified asc").json()["result"]["results"]
    ]
    assert got[-1] == "benh-vien-tinh" and len(got) == 4
    stamps = [
        r["metadata_modified"]
        for r in search(portal, sort="metadata_modified asc").json()["result"]["results"]
    ]
    assert stamps == sorted(stamps)


def test_sort_by_title_descending(seeded, portal):
    got = [r["title"] for r in search(portal, sort="title_string desc").json()["result"]["results"]]
    assert got[0].startswith("Trạm") and got[-1].startswith("Danh sách")


def test_drafts_visible_only_to_org_members_who_ask(seeded, portal):
    assert DRAFT not in names(search(portal, "publisher", rows=100))
    assert DRAFT in names(search(portal, "publisher", include_drafts=True, rows=100))
    assert DRAFT in names(search(portal, "sysadmin", include_drafts=True, rows=100))
    assert DRAFT not in names(search(portal, include_drafts=True, rows=100))
    assert DRAFT not in names(
        search(portal, token=seeded["outsider"], include_drafts=True, rows=100)
    )


def test_include_deleted_still_excludes_purged_from_index(seeded, portal):
    # core removes deleted datasets from the index (ckan.search.remove_deleted_packages)
    found = names(
        search(
            portal,
            "sysadmin",
            include_deleted=True,
            include_private=True,
            include_drafts=True,
            rows=100,
        )
    )
    assert "du-lieu-da-xoa" not in found
    assert {"ho-so-noi-bo", DRAFT} | PUBLIC == found


def test_private_counts_in_org_show_for_member_only(seeded, portal):
    assert portal.ckan().action.organization_show(id=ORG_A)["package_count"] == 2
    assert portal.ckan("publisher").action.organization_show(id=ORG_A)["package_count"] == 3


def test_autocomplete_without_diacritics_skips_private(seeded, portal):
    got = [r["name"] for r in portal.ckan().action.package_autocomplete(q="benh vien")]
    assert got == ["benh-vien-tinh"]
    by_name = portal.ckan().action.package_autocomplete(q="khach-san")
    assert [(r["name"], r["match_field"]) for r in by_name] == [("khach-san-ha-long", "name")]


def test_package_show_works_for_indexed_and_private(seeded, portal):
    assert portal.ckan().action.package_show(id="benh-vien-tinh")["title"] == (
        "Danh sách bệnh viện tỉnh Quảng Ninh"
    )
    assert portal.ckan("publisher").action.package_show(id="ho-so-noi-bo")["private"] is True


def test_dataset_page_with_bad_syntax_does_not_crash(seeded, portal):
    resp = requests.get(f"{portal.url}/dataset", params={"q": "title:benh~2"}, timeout=30)
    assert resp.status_code in (200, 400)
    assert "Danh sách bệnh viện tỉnh Quảng Ninh" not in resp.text


# ----------------------------------------------------------------------------- limits (issue 12)


def test_facet_mincount_zero_lists_only_values_of_matching_datasets(seeded, portal):
    # Solr would list zero-count values of the whole index; we never list a value no
    # matching (and so readable) dataset has
    resp = search(portal, q="khach", **{"facet.field": '["tags"]', "facet.mincount": 0})
    assert resp.json()["result"]["facets"]["tags"] == {"du lịch": 1, "lưu trú": 1}


def test_facet_fields_come_from_an_allow_list(seeded, portal):
    resp = search(portal, **{"facet.field": '["name"]'})
    assert resp.status_code == 400
    assert "Cannot facet on 'name'" in resp.json()["error"]["message"]
    ok = search(portal, **{"facet.field": '["owner_org", "license_id"]', "facet.limit": -1})
    assert ok.status_code == 200 and ok.json()["result"]["facets"]["license_id"] == {
        "cc-by": 2,
        "odc-by": 2,
    }


@pytest.mark.parametrize(
    "params",
    [
        {"q": " ".join(f"tu{i}" for i in range(150))},
        {"q": "benh\x00vien"},
        {"fq": "(" * 40 + "name:x" + ")" * 40},
        {"sort": "name; DROP TABLE package"},
    ],
)
def test_the_search_page_answers_a_refused_search_with_a_400_page(seeded, portal, params):
    resp = requests.get(f"{portal.url}/dataset", params=params, timeout=30)
    assert resp.status_code == 400
    assert 'lang="vi"' in resp.text


@pytest.mark.parametrize("kind", ["organization", "group"])
@pytest.mark.parametrize("params", [{"q": "benh\x00vien"}, {"q": " ".join(["tu"] * 150)}])
def test_organisation_and_group_pages_survive_a_refused_search(seeded, portal, kind, params):
    """CKAN 2.12's org/group page left `search_facets` undefined when the search was refused
    and answered 500; the dulieumo_pages templates default it."""
    name = ORG_A if kind == "organization" else GROUP_A
    resp = requests.get(f"{portal.url}/{kind}/{name}", params=params, timeout=30)
    assert resp.status_code < 500, resp.text[-500:]
    assert 'lang="vi"' in resp.text
    ok = requests.get(f"{portal.url}/{kind}/{name}", timeout=30)
    assert ok.status_code == 200  # the same page without the refused search


# ----------------------------------------------------------------------------- reset (last)


def test_reset_empties_the_running_portal_and_names_can_be_reused(seeded, portal):
    admin = portal.ckan("sysadmin")
    pkg = admin.action.package_show(id="benh-vien-tinh")
    resource_id = pkg["resources"][0]["id"]
    admin.action.datastore_create(
        resource_id=resource_id, force=True, records=[{"benh_vien": "Bãi Cháy"}]
    )
    portal.reset()

    everything = search(portal, "sysadmin", include_private=True, include_drafts=True, rows=100)
    assert everything.json()["result"]["count"] == 0
    with pytest.raises(NotFound):
        admin.action.package_show(id="benh-vien-tinh")
    with pytest.raises(NotFound):
        admin.action.organization_show(id=ORG_A)
    assert GROUP_A not in admin.action.group_list()
    # users and their API tokens are kept
    outsider = RemoteCKAN(portal.url, apikey=seeded["outsider"])
    assert outsider.action.user_show()["name"] == "nguoi-ngoai"
    assert portal.ckan("publisher").action.user_show()["name"]

    # the same names can be created again, and are searchable
    admin.action.organization_create(name=ORG_A, title="Sở Y tế")
    again = admin.action.package_create(
        name="benh-vien-tinh",
        owner_org=ORG_A,
        title="Bệnh viện (tạo lại)",
        resources=[{"id": resource_id, "url": "http://example.org/x.csv", "format": "CSV"}],
    )
    assert names(search(portal, q="tao lai")) == {"benh-vien-tinh"}
    # the old DataStore table is gone: the re-used resource id has no table
    assert again["resources"][0]["id"] == resource_id
    with pytest.raises(NotFound):
        admin.action.datastore_search(resource_id=resource_id)
    assert organisation_count(portal, ORG_A) == 1


def organisation_count(portal, org: str) -> int:
    return portal.ckan().action.organization_show(id=org)["package_count"]
