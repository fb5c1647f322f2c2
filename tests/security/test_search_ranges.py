"""Issue 15 point 2 under issue 12's rules: range queries reveal nothing a caller cannot read.

The attackers of tests/security/search_world.py (anonymous, a user of no organisation, an
editor of another organisation) send ranges in q and fq, with facets, private and drafts
asked for: no answer contains anything only the private and staging datasets carry, counts
are the public ones, and a range on a field only a private dataset has answers exactly like a
range on a field nobody has.
"""

from __future__ import annotations

import json

import pytest

from tests.security import search_world
from tests.security.search_world import ATTACKERS, PRIVATE_KEY, World

RANGES = [
    "metadata_modified:[* TO *]",
    "metadata_modified:[2000-01-01T00:00:00Z TO NOW]",
    "metadata_created:[NOW-1YEAR TO NOW+1DAY]",
    "num_resources:[0 TO *]",
    "num_tags:{0 TO 100}",
]


@pytest.fixture(scope="module")
def world(portal) -> World:
    return search_world.build(portal)


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("param", ["q", "fq"])
@pytest.mark.parametrize("rng", RANGES)
def test_ranges_return_only_what_the_caller_can_read(world, caller, param, rng):
    resp = world.get(
        "package_search",
        caller,
        **{
            param: rng,
            "rows": 1000,
            "include_private": True,
            "include_drafts": True,
            "facet.field": json.dumps(["organization", "tags", "license_id", "res_format"]),
            "facet.mincount": 0,
        },
    )
    assert resp.status_code == 200, resp.text[:500]
    assert world.leaked(resp.text) == []
    found = {r["id"] for r in resp.json()["result"]["results"]}
    assert world.ids["public"] in found
    assert world.ids["private"] not in found and world.ids["staging"] not in found


@pytest.mark.parametrize("caller", ATTACKERS)
def test_a_range_on_a_private_only_field_answers_like_an_unknown_field(world, caller):
    shapes = []
    for fname in (PRIVATE_KEY, "khoa_khong_ai_co_atk"):
        resp = world.get("package_search", caller, fq=f"{fname}:[1 TO *]")
        assert world.leaked(resp.text.replace(fname, "")) == []
        shapes.append((resp.status_code, resp.text.replace(fname, "<f>")))
    assert shapes[0] == shapes[1]
    assert shapes[0][0] == 400


def test_the_sysadmin_finds_private_datasets_by_range(world):
    resp = world.get(
        "package_search",
        "sysadmin",
        fq="metadata_modified:[NOW-1YEAR TO *]",
        include_private=True,
        include_drafts=True,
        rows=1000,
    )
    found = {r["id"] for r in resp.json()["result"]["results"]}
    assert {world.ids["public"], world.ids["private"], world.ids["staging"]} <= found
