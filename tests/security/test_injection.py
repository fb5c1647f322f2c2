"""SQL injection through the search parameters does nothing harmful (held in the audit).

Every value reaches PostgreSQL as a bound parameter and every field name is either a known
column expression or a bound jsonb key, so hostile ``q``, ``fq``, ``sort`` and
``facet.field`` values are refused with a 400 or searched as text; the catalogue's tables
are still there afterwards and nothing private comes back. Run as the anonymous public, a
user of no organisation and an editor of another organisation.
"""

from __future__ import annotations

import json

import pytest

from tests.security import search_world
from tests.security.search_world import ATTACKERS, World

HOSTILE_TEXT = [
    "'; DROP TABLE package; --",
    "' OR '1'='1",
    '" OR 1=1 --',
    "benh vien'); DELETE FROM dulieumo_search_doc; --",
    "\\'; SELECT pg_sleep(10); --",
    "$$; DROP TABLE package; $$",
    "name:x' OR 'a'='a",
    'name:"x\\" OR 1=1 --"',
    'tags:("y tế\'); DROP TABLE package; --")',
    'name:*\' UNION SELECT password FROM "user" --',
    "title:%' OR '%'='",
    "name:_%",
]

HOSTILE_SORT = [
    "name; DROP TABLE package",
    "name asc; DROP TABLE package",
    "name asc, (SELECT 1) desc",
    '(CASE WHEN (SELECT count(*) FROM "user") > 0 THEN name END) asc',
    "name asc NULLS FIRST; --",
    "pg_sleep(10) asc",
    "name' asc",
]

HOSTILE_FACETS = [
    "organization'); DROP TABLE package; --",
    'tags" FROM package; --',
    '(SELECT password FROM "user")',
    "tags::text",
]


@pytest.fixture(scope="module")
def world(portal) -> World:
    return search_world.build(portal)


def tables_intact() -> bool:
    ((count,),) = search_world.ckan_db_rows(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' "
        "AND table_name IN ('package', 'user', 'dulieumo_search_doc')"
    )
    ((docs,),) = search_world.ckan_db_rows("SELECT count(*) FROM dulieumo_search_doc")
    return count == 3 and docs > 0


def assert_harmless(world: World, resp, supplied: str) -> None:
    assert resp.status_code in (200, 400), (resp.status_code, resp.text[:300])
    assert world.leaked(resp.text.replace(supplied, "")) == []
    if resp.status_code == 400:
        assert resp.json()["error"]["message"]


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("text", HOSTILE_TEXT)
@pytest.mark.parametrize("param", ["q", "fq"])
def test_hostile_q_and_fq_are_searched_or_refused(world, caller, param, text):
    resp = world.get("package_search", caller, include_private=True, **{param: text})
    assert_harmless(world, resp, text)


@pytest.mark.parametrize("caller", ATTACKERS)
def test_a_quote_laden_free_text_query_returns_normally(world, caller):
    resp = world.get("package_search", caller, q="co so y te' \" ; -- ' kiem thu")
    assert resp.status_code == 200, resp.text[:300]
    assert [r["name"] for r in resp.json()["result"]["results"]] == [search_world.PUBLIC]


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("sort", HOSTILE_SORT)
def test_hostile_sort_is_a_400(world, caller, sort):
    resp = world.get("package_search", caller, sort=sort)
    assert resp.status_code == 400, resp.text[:300]
    assert "sort" in resp.json()["error"]["message"]


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("fname", HOSTILE_FACETS)
def test_hostile_facet_field_is_a_400(world, caller, fname):
    resp = world.get("package_search", caller, **{"facet.field": json.dumps([fname])})
    assert resp.status_code == 400, resp.text[:300]
    assert "facet" in resp.json()["error"]["message"].lower()


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("text", HOSTILE_TEXT[:4])
def test_hostile_autocomplete_is_harmless(world, caller, text):
    resp = world.get("package_autocomplete", caller, q=text)
    assert_harmless(world, resp, text)


def test_the_catalogue_tables_are_still_there(world):
    # runs after the attacks above (pytest keeps file order)
    assert tables_intact()
    resp = world.get("package_search", "anonymous", q="co so y te kiem thu")
    assert [r["name"] for r in resp.json()["result"]["results"]] == [search_world.PUBLIC]
    assert world.get("package_show", "anonymous", id=search_world.PUBLIC).status_code == 200
