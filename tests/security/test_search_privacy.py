"""Issue 12, finding 1: search and facets never reveal a dataset the caller cannot read.

Attacks the running portal over HTTP as the anonymous public, a user of no organisation and
an editor of another organisation (tests/security/search_world.py). On the old backend,
``facet.mincount=0`` dropped the permission filter from facet counting (the whole JSON of
every private and staging dataset came back through ``facet.field=["validated_data_dict"]``)
and a field only a private dataset has answered 200 where an unknown field answered 400.
"""

from __future__ import annotations

import json

import pytest

from tests.security import search_world
from tests.security.search_world import (
    ATTACKERS,
    OTHER_PUBLIC,
    PRIVATE,
    PRIVATE_KEY,
    PRIVATE_TAG,
    PRIVATE_TITLE,
    PRIVATE_VALUE,
    PUBLIC,
    PUBLIC_KEY,
    STAGING,
    World,
)

ALLOWED_FACETS = ["organization", "groups", "tags", "res_format", "license_id", "owner_org"]
REFUSED_FACETS = [
    "validated_data_dict",
    "data_dict",
    "name",
    "title",
    "notes",
    "text",
    "id",
    "index_id",
    "permission_labels",
    "capacity",
    "extras_" + PRIVATE_KEY,
    PRIVATE_KEY,
    "res_url",
    "no_such_field",
]


@pytest.fixture(scope="module")
def world(portal) -> World:
    return search_world.build(portal)


def facet_search(world: World, caller: str, fields: list[str], **extra: object):
    params = {
        "facet.field": json.dumps(fields),
        "facet.mincount": 0,
        "facet.limit": -1,
        "rows": 0,
        "include_private": True,
        "include_drafts": True,
        **extra,
    }
    return world.get("package_search", caller, **params)


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("fname", REFUSED_FACETS)
def test_facet_field_outside_the_allow_list_is_refused_with_a_message(world, caller, fname):
    resp = facet_search(world, caller, [fname])
    assert world.leaked(resp.text.replace(fname, "")) == []  # the message names the field
    assert resp.status_code == 400, resp.text[:500]
    message = resp.json()["error"]["message"]
    assert fname in message and "facet" in message.lower()


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("mincount", [0, 1])
def test_allowed_facets_count_only_what_the_caller_can_read(world, caller, mincount):
    resp = facet_search(world, caller, ALLOWED_FACETS, **{"facet.mincount": mincount})
    assert resp.status_code == 200, resp.text[:500]
    assert world.leaked(resp.text) == []
    facets = resp.json()["result"]["facets"]
    assert PRIVATE_TAG not in facets["tags"]
    assert "cc-nc" not in facets["license_id"]  # only the private dataset has it
    # the owner organisation holds one dataset this caller can read (the public one)
    assert facets["organization"].get(search_world.ORG_OWNER) == 1
    assert facets["groups"].get(search_world.GROUP) == 1


@pytest.mark.parametrize("caller", ATTACKERS)
def test_negative_mincount_is_refused_without_revealing(world, caller):
    resp = facet_search(world, caller, ["tags"], **{"facet.mincount": -1})
    assert resp.status_code in (400, 409), resp.text[:500]
    assert world.leaked(resp.text) == []


@pytest.mark.parametrize("caller", ATTACKERS)
def test_the_old_exploit_returns_no_private_metadata(world, caller):
    # the audit's exact request
    resp = world.get(
        "package_search",
        caller,
        **{
            "facet.field": '["validated_data_dict"]',
            "facet.mincount": 0,
            "facet.limit": -1,
            "rows": 0,
        },
    )
    assert world.leaked(resp.text) == []
    assert resp.status_code == 400


def _shape(resp, fname: str) -> tuple[int, str]:
    body = resp.json()
    message = body.get("error", {}).get("message", "") if not body["success"] else ""
    return resp.status_code, message.replace(fname, "<field>")


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("param", ["q", "fq"])
@pytest.mark.parametrize(
    "template",
    ["{f}:{v}", "{f}:*", "{f}:abc*", '{f}:"{v}"', "name:x OR {f}:{v}"],
)
def test_private_only_field_answers_like_an_unknown_field(world, caller, param, template):
    unknown = "khoa_khong_ton_tai_atk"
    private = world.get(
        "package_search", caller, **{param: template.format(f=PRIVATE_KEY, v=PRIVATE_VALUE)}
    )
    absent = world.get(
        "package_search", caller, **{param: template.format(f=unknown, v=PRIVATE_VALUE)}
    )
    assert _shape(private, PRIVATE_KEY) == _shape(absent, unknown)
    assert private.status_code == 400
    assert world.leaked(private.text.replace(PRIVATE_KEY, "")) == []


@pytest.mark.parametrize("caller", ATTACKERS)
def test_a_field_of_a_readable_dataset_still_works(world, caller):
    resp = world.get("package_search", caller, fq=f"{PUBLIC_KEY}:hang-thang")
    assert resp.status_code == 200, resp.text[:500]
    assert [r["name"] for r in resp.json()["result"]["results"]] == [PUBLIC]


def test_a_sysadmin_can_still_search_the_private_field(world):
    resp = world.get(
        "package_search", "sysadmin", fq=f"{PRIVATE_KEY}:{PRIVATE_VALUE}", include_private=True
    )
    assert resp.status_code == 200, resp.text[:500]
    assert [r["name"] for r in resp.json()["result"]["results"]] == [PRIVATE]


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize(
    "params",
    [
        {"q": "ho so benh nhan mat"},
        {"q": PRIVATE_TITLE},
        {"q": "chuan bi chua cong bo"},
        {"q": f"name:{PRIVATE}"},
        {"q": f"name:{STAGING}"},
        {"q": "name:atk-*"},
        {"fq": f'tags:"{PRIVATE_TAG}"'},
        {"fq": "capacity:private"},
        {"fq": "permission_labels:*"},
        {"fq": "state:draft OR state:active"},
        {"q": "*:*", "fl": "name validated_data_dict data_dict"},
        {"q": "*:*", "sort": f"{PRIVATE_KEY} desc"},
    ],
)
def test_search_results_hold_only_readable_datasets(world, caller, params):
    resp = world.get(
        "package_search",
        caller,
        include_private=True,
        include_drafts=True,
        rows=1000,
        **params,
    )
    assert resp.status_code in (200, 400), resp.text[:500]
    echoed = resp.text  # the answer repeats the caller's own sort and error input
    for value in params.values():
        echoed = echoed.replace(value, "")
    assert world.leaked(echoed) == []
    if resp.status_code == 200:
        found = {r.get("name") for r in resp.json()["result"]["results"]}
        assert PRIVATE not in found and STAGING not in found


def test_the_other_editor_sees_its_own_dataset_but_not_the_owners_private_one(world):
    resp = world.get(
        "package_search",
        "other_editor",
        q="name:atk-*",
        include_private=True,
        include_drafts=True,
        rows=1000,
    )
    found = {r["name"] for r in resp.json()["result"]["results"]}
    assert {PUBLIC, OTHER_PUBLIC} <= found
    assert PRIVATE not in found and STAGING not in found
