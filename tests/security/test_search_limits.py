"""Issue 12, finding 5: search work is bounded, and hostile input is a 400/409, never a 500.

Over HTTP against the running portal, as the anonymous public, a user of no organisation and
an editor of another organisation. The old backend answered a NUL byte in a fielded query,
``fq`` nested 5,000 deep and a huge ``start``/``facet.limit`` with 500, ran a 20,000-term
``q`` for minutes (the PostgreSQL query outliving the request) and let two such queries
stall ``status_show``.

Status codes: our backend refuses with HTTP 400 (CKAN's SearchQueryError, "Search Query
Error" with a message); core's own schema refuses negative or non-numeric ``rows``,
``start`` and ``facet.mincount`` with 409 ("Validation Error", per field).
"""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests

from portal.settings import PortalSettings
from tests.security import search_world
from tests.security.search_world import ATTACKERS, World

#: the portal's defaults (limits.SearchLimits): the tests stay valid if ckan.ini sets none
TIMEOUT_S = 5.0
MAX_TERMS = 100
MAX_DEPTH = 10
MAX_CHARS = 4000
#: slack for a loaded 2-core machine on top of the statement limit
MARGIN_S = 15.0


@pytest.fixture(scope="module")
def world(portal) -> World:
    return search_world.build(portal)


def refused(resp: requests.Response, *codes: int) -> str:
    """Assert a clear refusal (400 or 409 with a message); return the message."""
    assert resp.status_code in (codes or (400, 409)), (resp.status_code, resp.text[:300])
    body = resp.json()
    assert body["success"] is False
    error = body["error"]
    message = error.get("message") or json.dumps(error, ensure_ascii=False)
    assert message
    return message


# ----------------------------------------------------------------------------- NUL bytes


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize(
    "params",
    [
        {"q": "name:abc\x00def"},
        {"q": "benh\x00vien"},
        {"fq": "name:abc\x00def"},
        {"fq": 'tags:"y\x00te"'},
        {"sort": "name\x00 asc"},
        {"facet.field": '["tags\x00"]'},
        {"q": "*:*", "fl": "name\x00"},
    ],
)
def test_a_nul_byte_anywhere_is_a_clear_refusal(world, caller, params):
    message = refused(world.get("package_search", caller, **params))
    assert "NUL" in message or "facet" in message or "JSON" in message or "sort" in message


@pytest.mark.parametrize("caller", ATTACKERS)
def test_a_nul_byte_in_autocomplete_is_a_clear_refusal(world, caller):
    message = refused(world.get("package_autocomplete", caller, q="benh\x00vien"), 400)
    assert "NUL" in message


# ----------------------------------------------------------------------------- nesting


@pytest.mark.parametrize("caller", ATTACKERS)
def test_fq_nested_5000_deep_is_refused_not_a_crash(world, caller):
    deep = "(" * 5000 + "name:x" + ")" * 5000
    message = refused(world.post("package_search", caller, {"fq": deep}), 400)
    assert "fq" in message


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("param", ["q", "fq"])
def test_nesting_deeper_than_the_limit_is_refused(world, caller, param):
    deep = "(" * (MAX_DEPTH + 5) + "name:x" + ")" * (MAX_DEPTH + 5)
    message = refused(world.get("package_search", caller, **{param: deep}), 400)
    assert "nests parentheses" in message and param in message


@pytest.mark.parametrize("caller", ATTACKERS)
def test_shallow_nesting_still_works(world, caller):
    resp = world.get("package_search", caller, fq=f"((name:{search_world.PUBLIC}))")
    assert resp.status_code == 200, resp.text[:300]
    assert [r["name"] for r in resp.json()["result"]["results"]] == [search_world.PUBLIC]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({"start": -1}, (409,)),
        ({"start": "abc"}, (409,)),
        ({"start": 10**20}, (400,)),
        ({"start": 10**6}, (400,)),
        ({"rows": -1}, (409,)),
        ({"rows": "abc"}, (409,)),
        ({"facet.limit": "abc", "facet.field": '["tags"]'}, (409,)),
        ({"facet.limit": -5, "facet.field": '["tags"]'}, (400,)),
        ({"facet.limit": 10**20, "facet.field": '["tags"]'}, (400,)),
        ({"facet.limit": 5000, "facet.field": '["tags"]'}, (400,)),
        ({"facet.mincount": -1, "facet.field": '["tags"]'}, (409,)),
        ({"facet.mincount": "abc", "facet.field": '["tags"]'}, (409,)),
    ],
)
def test_out_of_range_numbers_are_refused_with_a_message(world, caller, params, codes):
    message = refused(world.get("package_search", caller, **params), *codes)
    assert any(name in message for name in params)


@pytest.mark.parametrize("caller", ATTACKERS)
def test_huge_rows_is_capped_by_core_not_a_crash(world, caller):
    resp = world.get("package_search", caller, rows=10**20)
    assert resp.status_code == 200, resp.text[:300]


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize(("limit", "codes"), [(10**20, (400,)), ("abc", (409,))])
def test_autocomplete_limit_out_of_range_is_refused(world, caller, limit, codes):
    refused(world.get("package_autocomplete", caller, q="co so", limit=limit), *codes)


@pytest.mark.parametrize("caller", ATTACKERS)
def test_facet_limit_minus_one_means_all_values(world, caller):
    resp = world.get("package_search", caller, **{"facet.field": '["tags"]', "facet.limit": -1})
    assert resp.status_code == 200, resp.text[:300]
    assert "y tế" in resp.json()["result"]["facets"]["tags"]


# ----------------------------------------------------------------------------- sizes


@pytest.mark.parametrize("caller", ATTACKERS)
def test_too_many_terms_in_q_is_refused(world, caller):
    q = " ".join(f"tu{i}" for i in range(MAX_TERMS + 1))
    message = refused(world.get("package_search", caller, q=q), 400)
    assert "terms" in message and str(MAX_TERMS) in message


@pytest.mark.parametrize("caller", ATTACKERS)
def test_too_many_terms_in_fq_is_refused(world, caller):
    fq = " OR ".join(f"name:ten-{i}" for i in range(MAX_TERMS + 1))
    message = refused(world.get("package_search", caller, fq=fq), 400)
    assert "terms" in message


@pytest.mark.parametrize("caller", ATTACKERS)
def test_q_and_fq_share_one_term_budget(world, caller):
    half = MAX_TERMS // 2 + 1
    q = " ".join(f"tu{i}" for i in range(half))
    fq = " OR ".join(f"name:ten-{i}" for i in range(half))
    refused(world.get("package_search", caller, q=q, fq=fq), 400)
    # each half alone is fine
    assert world.get("package_search", caller, q=q).status_code == 200
    assert world.get("package_search", caller, fq=fq).status_code == 200


@pytest.mark.parametrize("caller", ATTACKERS)
def test_a_word_that_folds_into_thousands_of_words_is_refused(world, caller):
    q = "title:" + ".".join("a" for _ in range(1000))  # one term, a thousand folded words
    message = refused(world.get("package_search", caller, q=q), 400)
    assert "words" in message


@pytest.mark.parametrize("caller", ATTACKERS)
@pytest.mark.parametrize("param", ["q", "fq", "sort"])
def test_an_over_long_parameter_is_refused(world, caller, param):
    value = {"q": "benh " * 1000, "fq": "name:" + "x" * 5000, "sort": "name asc" + " " * 5000}
    message = refused(world.post("package_search", caller, {param: value[param]}), 400)
    assert param in message and str(MAX_CHARS) in message


@pytest.mark.parametrize("caller", ATTACKERS)
def test_two_thousand_facet_fields_are_refused_at_once(world, caller):
    started = time.monotonic()
    resp = world.post("package_search", caller, {"facet.field": ["tags"] * 2000, "rows": 0})
    message = refused(resp, 400)
    assert "facet" in message
    assert time.monotonic() - started < TIMEOUT_S + MARGIN_S


@pytest.mark.parametrize("caller", ATTACKERS)
def test_too_many_sort_fields_is_refused(world, caller):
    sort = ", ".join(["name asc"] * 6)
    message = refused(world.get("package_search", caller, sort=sort), 400)
    assert "sort" in message


# ----------------------------------------------------------------------------- time


def hostile_q(terms: int = 20_000) -> str:
    return " ".join(f"name:ten-{i}*" for i in range(terms))


def _db_now() -> object:
    return search_world.ckan_db_rows("SELECT clock_timestamp()")[0][0]


def _active_searches(settings: PortalSettings, since: object) -> list[tuple[int, float]]:
    """(pid, seconds running) of PostgreSQL backends running a search of the portal that
    started after `since` (a timestamp of the database)."""
    rows = search_world.ckan_db_rows(
        "SELECT pid, extract(epoch FROM clock_timestamp() - query_start) FROM pg_stat_activity "
        "WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid() "
        "AND query ILIKE %s AND query_start >= %s",
        (settings.ckan_db, "%dulieumo_search_doc%", since),
    )
    return [(int(pid), float(secs)) for pid, secs in rows]


def test_hostile_searches_leave_status_show_answering_and_stop_server_side(world):
    """Two hostile searches (one per gunicorn worker), then status_show must answer; the
    hostile requests end within the statement limit and no PostgreSQL backend keeps running
    them afterwards."""
    settings = PortalSettings()
    bound = TIMEOUT_S + MARGIN_S
    outcomes: list[object] = []

    def attack(caller: str) -> None:
        try:
            resp = world.post("package_search", caller, {"q": hostile_q()}, timeout=bound)
            outcomes.append(resp.status_code)
        except requests.RequestException as exc:  # the client gave up: the worker is stuck
            outcomes.append(exc)

    since = _db_now()
    threads = [threading.Thread(target=attack, args=(c,)) for c in ("anonymous", "outsider")]
    for t in threads:
        t.start()
    time.sleep(0.5)
    started = time.monotonic()
    status = requests.get(f"{world.url}/api/3/action/status_show", timeout=bound)
    status_seconds = time.monotonic() - started
    for t in threads:
        t.join()
    assert status.status_code == 200
    assert status_seconds < bound, f"status_show took {status_seconds:.1f} s"
    assert outcomes == [400, 400], outcomes
    # nothing left running in PostgreSQL once the limit has passed
    deadline = time.monotonic() + bound
    while _active_searches(settings, since) and time.monotonic() < deadline:
        time.sleep(0.5)
    lingering = [(pid, s) for pid, s in _active_searches(settings, since) if s > TIMEOUT_S]
    assert lingering == []


@pytest.mark.parametrize("caller", ATTACKERS)
def test_the_heaviest_allowed_search_answers_within_the_limit(world, caller):
    # the most expensive shape under the caps: prefix matches on every term, every facet
    q = " OR ".join(f"name:a{i}*" for i in range(MAX_TERMS // 2))
    fq = " OR ".join(f"tags:t{i}*" for i in range(MAX_TERMS // 2 - 5))
    started = time.monotonic()
    resp = world.get(
        "package_search",
        caller,
        q=q,
        fq=fq,
        rows=1000,
        **{
            "facet.field": json.dumps(["organization", "groups", "tags", "res_format"]),
            "facet.limit": -1,
        },
    )
    assert resp.status_code in (200, 400), resp.text[:300]
    assert time.monotonic() - started < TIMEOUT_S + MARGIN_S
