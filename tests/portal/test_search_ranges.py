"""Range queries against the running portal, over HTTP (issue 15, point 2).

The queries harvesters send: CKAN's harvester (`fq=metadata_modified:[<last run>Z TO *]`)
and ckanext-dcat 2.4.4's `modified_since` (its `dcat_datasets_list` runs `package_search`
with `fq_list` `metadata_modified:[<date>Z TO NOW]`, `-dataset_type:harvest`,
`-dataset_type:showcase`, sorted by `metadata_modified desc`), date math, exclusive and
numeric ranges, and the same permission rules and caps as every other search. Private data
through ranges, as the attackers of tests/security see it, is tested there too
(tests/security/test_search_ranges.py).

The module does not reset the portal: it creates its own organisation and filters by it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
from ckanapi import NotFound

ORG = "ktkt-so-khoang-san"
NAMES = {"ktkt-mo-than": 1, "ktkt-mo-da": 2, "ktkt-mo-cat": 3}
PRIVATE = "ktkt-mo-mat"  # 5 resources: the only dataset of the portal with 5


@pytest.fixture(scope="module")
def made(portal) -> dict[str, Any]:
    admin = portal.ckan("sysadmin")
    try:
        admin.action.organization_show(id=ORG)
    except NotFound:
        admin.action.organization_create(name=ORG, title="Sở Khoáng sản (kiểm thử khoảng)")
    for name in [*NAMES, PRIVATE]:
        try:
            admin.action.dataset_purge(id=name)
        except NotFound:
            pass
    made = {}
    for name, count in [*NAMES.items(), (PRIVATE, 5)]:
        made[name] = admin.action.package_create(
            name=name,
            owner_org=ORG,
            title=f"Mỏ khoáng sản {name}",
            private=name == PRIVATE,
            tags=[{"name": "khoang-san"}],
            resources=[
                {"url": f"http://example.org/{name}-{i}.csv", "format": "CSV", "name": f"T{i}"}
                for i in range(count)
            ],
        )
    return made


def search(portal, role: str | None = None, **params: Any) -> requests.Response:
    headers = {"Authorization": portal.token(role)} if role else {}
    return requests.get(
        f"{portal.url}/api/3/action/package_search", params=params, headers=headers, timeout=30
    )


def names(resp: requests.Response) -> set[str]:
    assert resp.status_code == 200, resp.text[:500]
    return {r["name"] for r in resp.json()["result"]["results"]}


def mine(portal, role: str | None = None, **params: Any) -> set[str]:
    """Names of this module's datasets a search finds (others on the portal left out)."""
    params.setdefault("rows", 1000)
    fq = " ".join(f for f in (f"organization:{ORG}", params.pop("fq", "")) if f)
    return names(search(portal, role, fq=fq, **params))


def solr_time(iso: str) -> str:
    """CKAN's metadata_modified (`2026-12-06T07:00:00.123456`) as Solr writes it."""
    return iso + "Z"


def test_the_ckan_harvesters_query(portal, made):
    earliest = min(d["metadata_created"] for d in made.values())
    fq = f"metadata_modified:[{solr_time(earliest)} TO *]"
    assert mine(portal, fq=fq) == set(NAMES)
    assert mine(portal, "sysadmin", fq=fq, include_private=True) == {*NAMES, PRIVATE}
    assert mine(portal, fq="metadata_modified:[* TO 2020-01-01T00:00:00Z]") == set()


def test_modified_since_finds_exactly_the_republished_dataset(portal, made):
    before = max(d["metadata_modified"] for d in made.values())
    time.sleep(0.01)
    portal.ckan("sysadmin").action.package_patch(id="ktkt-mo-da", notes="Cập nhật số liệu.")
    # ckanext-dcat 2.4.4's catalog search for ?modified_since=<before>, as it sends it
    resp = requests.post(
        f"{portal.url}/api/3/action/package_search",
        json={
            "q": "*:*",
            "fq": f"organization:{ORG}",
            "fq_list": [
                "-dataset_type:harvest",
                "-dataset_type:showcase",
                f"metadata_modified:{{{solr_time(before)} TO NOW]",
            ],
            "sort": "metadata_modified desc",
            "rows": 100,
            "start": 0,
        },
        timeout=30,
    )
    assert names(resp) == {"ktkt-mo-da"}
    # the inclusive form ckanext-dcat writes, from a bare day: everything of today
    today = before[:10]
    assert mine(portal, fq=f"metadata_modified:[{today}T00:00:00Z TO NOW]") == set(NAMES)


def test_date_math(portal, made):
    assert mine(portal, fq="metadata_created:[NOW-1DAY TO NOW]") == set(NAMES)
    assert mine(portal, fq="metadata_created:[NOW/DAY TO NOW/DAY+1DAY}") == set(NAMES)
    assert mine(portal, fq="metadata_created:[* TO NOW-1DAY]") == set()
    assert mine(portal, q="metadata_modified:[NOW-7DAYS TO *] AND tags:khoang-san") == set(NAMES)


def test_numeric_ranges_inclusive_and_exclusive(portal, made):
    assert mine(portal, fq="num_resources:[1 TO 3]") == set(NAMES)
    assert mine(portal, fq="num_resources:{1 TO 3}") == {"ktkt-mo-da"}
    assert mine(portal, fq="num_resources:[2 TO *]") == {"ktkt-mo-da", "ktkt-mo-cat"}
    assert mine(portal, fq="-num_resources:[2 TO *]") == {"ktkt-mo-than"}
    assert mine(portal, fq="num_resources:([3 TO *] OR 1)") == {"ktkt-mo-than", "ktkt-mo-cat"}


def test_a_range_never_reveals_a_private_dataset(portal, made):
    # only the private dataset has 5 resources: the public sees nothing, not even a count
    for role in (None, "publisher"):
        resp = search(
            portal,
            role,
            fq="num_resources:[5 TO 5]",
            include_private=True,
            rows=10,
            **{"facet.field": '["tags", "organization"]'},
        )
        assert resp.status_code == 200, resp.text[:500]
        assert resp.json()["result"]["count"] == 0
        assert PRIVATE not in resp.text and made[PRIVATE]["id"] not in resp.text
    assert mine(portal, "sysadmin", fq="num_resources:[5 TO 5]", include_private=True) == {PRIVATE}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"fq": "metadata_modified:[hom-qua TO *]"}, "Cannot read the date 'hom-qua'"),
        ({"fq": "metadata_modified:[NOW-1FORTNIGHT TO *]"}, "Unknown date unit"),
        ({"q": "title:[a TO z]"}, "Cannot search 'title' by range"),
        ({"fq": "num_resources:[NOW TO *]"}, "as a number"),
        ({"fq": "metadata_modified:[2020-01-01T00:00:00Z TO"}, "Unclosed range"),
        ({"fq": "[1 TO 2]"}, "has no field"),  # in q without a colon it is free text
    ],
)
def test_bad_ranges_are_a_400_with_a_message(portal, made, params, message):
    resp = search(portal, **params)
    assert resp.status_code == 400, resp.text[:500]
    assert message in resp.json()["error"]["message"]


def test_a_range_counts_toward_the_term_cap(portal, made):
    words = " ".join(f"tu{i}" for i in range(99))  # 99 terms of the portal's 100
    assert search(portal, q=words).status_code == 200
    resp = search(portal, q=words, fq="metadata_modified:[NOW-1DAY TO *]")
    assert resp.status_code == 400
    assert "Too many search terms" in resp.json()["error"]["message"]
