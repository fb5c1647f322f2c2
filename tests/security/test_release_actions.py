"""The release actions attacked as another organisation's editor, a user of no organisation
and the anonymous public (issue 12, findings 2 and 3): each action checks the caller's right
on the dataset's own organisation, validates its parameters (409/400, never 500), derives
DataStore alias names itself and never names another run's lock owner."""

from __future__ import annotations

import json

import pytest

from tests.security.release_actors import (
    HEALTH,
    HEALTH_ORG,
    TOURISM,
    TOURISM_ORG,
    Actors,
    actors,
    call,
    datastore_rows,
    publish_now,
)
from tests.support.catalog import copy_catalog

HEALTH_ALIAS = HEALTH.replace("-", "_")
TOURISM_ALIAS = TOURISM.replace("-", "_")


@pytest.fixture(scope="module")
def world(portal, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Sở Y tế's and Sở Du lịch's datasets published once; the attackers' tokens."""
    portal.reset()
    root = copy_catalog(tmp_path_factory.mktemp("catalog"))
    work = tmp_path_factory.mktemp("work")
    health = publish_now(root, portal, HEALTH, work / "health")
    tourism = publish_now(root, portal, TOURISM, work / "tourism")
    return {
        "actors": actors(portal),
        "health": health,
        "tourism": tourism,
        "health_fields": _fields(portal, HEALTH_ALIAS),
    }


def _fields(portal, resource_id: str) -> list[str]:
    status, result = datastore_rows(portal, resource_id)
    assert status == 200, result
    return sorted(f["id"] for f in result["fields"])


def _health_still_served(portal, world) -> None:
    """The public still reads health facilities through both stable identifiers."""
    for rid in (HEALTH_ALIAS, world["health"].latest_resource_id):
        assert _fields(portal, rid) == world["health_fields"]
    status, result = datastore_rows(portal, TOURISM_ALIAS)
    assert status == 200 and result["total"] == world["tourism"].rows


def _refused(status: int, body: dict, *codes: int) -> None:
    assert status in codes, (status, body)
    assert body.get("success") is False


# ----------------------------------------------------------------------------- finding 2


def test_another_organisations_editor_cannot_repoint_the_alias(portal, world):
    a: Actors = world["actors"]
    tourism_table = world["tourism"].resources["release-data"]
    for aliases in ([HEALTH_ALIAS], [world["health"].latest_resource_id]):
        status, body = call(
            portal,
            "dulieumo_datastore_alias",
            {"resource_id": tourism_table, "aliases": aliases},
            a.other_editor,
        )
        _refused(status, body, 409)
        assert "not an alias of dataset co-so-luu-tru" in json.dumps(body, ensure_ascii=False)
        _health_still_served(portal, world)


def test_an_editor_of_every_organisation_cannot_cross_datasets_either(portal, world):
    """Even with rights on both organisations, a table serves only its own dataset's names."""
    tourism_table = world["tourism"].resources["release-data"]
    status, body = call(
        portal,
        "dulieumo_datastore_alias",
        {"resource_id": tourism_table, "aliases": [HEALTH_ALIAS]},
        world["actors"].publisher,
    )
    _refused(status, body, 409)
    _health_still_served(portal, world)


def test_the_health_table_cannot_be_aliased_by_outsiders(portal, world):
    a: Actors = world["actors"]
    health_table = world["health"].resources["release-data"]
    for token in (a.other_editor, a.no_org, None):
        status, body = call(
            portal,
            "dulieumo_datastore_alias",
            {"resource_id": health_table, "aliases": [HEALTH_ALIAS]},
            token,
        )
        _refused(status, body, 403)
    _health_still_served(portal, world)


@pytest.mark.parametrize(
    "alias", ["_table_metadata", "pg_stat_activity", "pg_class", "co_so\x00luu_tru", "x" * 200]
)
def test_reserved_and_malformed_alias_names_are_refused(portal, world, alias):
    tourism_table = world["tourism"].resources["release-data"]
    status, body = call(
        portal,
        "dulieumo_datastore_alias",
        {"resource_id": tourism_table, "aliases": [alias]},
        world["actors"].publisher,
    )
    _refused(status, body, 400, 409)
    _health_still_served(portal, world)
    status, result = datastore_rows(portal, world["tourism"].latest_resource_id)
    assert status == 200 and result["total"] == world["tourism"].rows


def test_bad_alias_parameters_are_409_not_500(portal, world):
    publisher = world["actors"].publisher
    tourism_table = world["tourism"].resources["release-data"]
    for data in (
        {"resource_id": tourism_table, "aliases": "co_so_luu_tru"},
        {"resource_id": tourism_table, "aliases": [7]},
        {"resource_id": ["x"], "aliases": [TOURISM_ALIAS]},
        {"resource_id": "x\x00y", "aliases": [TOURISM_ALIAS]},
    ):
        status, body = call(portal, "dulieumo_datastore_alias", data, publisher)
        _refused(status, body, 400, 409)


def test_the_dataset_owner_still_points_its_own_aliases(portal, world):
    tourism = world["tourism"]
    status, body = call(
        portal,
        "dulieumo_datastore_alias",
        {
            "resource_id": tourism.resources["release-data"],
            "aliases": [TOURISM_ALIAS, tourism.latest_resource_id],
        },
        world["actors"].publisher,
    )
    assert status == 200 and body["success"], body
    _health_still_served(portal, world)


# ----------------------------------------------------------------------------- finding 3


def _lock(portal, token, **data):
    return call(portal, "dulieumo_release_lock", data, token)


def test_another_organisations_editor_cannot_lock_or_release_health(portal, world):
    a: Actors = world["actors"]
    status, body = _lock(portal, a.publisher, id=HEALTH, owner="real-run", owner_org=HEALTH_ORG)
    assert status == 200, body
    try:
        # the dataset's own organisation counts, not the owner_org the caller sends
        for token in (a.other_editor, a.no_org, None):
            for extra in ({}, {"release": True}, {"op": "unlock", "force": True}):
                status, body = _lock(
                    portal,
                    token,
                    id=HEALTH,
                    owner="real-run",
                    owner_org=TOURISM_ORG,
                    ttl=3600,
                    **extra,
                )
                _refused(status, body, 403)
        status, body = _lock(portal, a.publisher, id=HEALTH, owner="real-run", op="status")
        assert body["result"]["status"] == "held" and body["result"]["mine"] is True
    finally:
        _lock(portal, a.publisher, id=HEALTH, owner="real-run", op="release")


def test_a_refusal_never_names_the_lock_holder(portal, world):
    publisher = world["actors"].publisher
    secret_owner = "flow-run-5f0c2a9e-holder"
    status, body = _lock(
        portal, publisher, id=TOURISM, owner=secret_owner, owner_org=TOURISM_ORG, ttl=120
    )
    assert status == 200, body
    try:
        status, body = _lock(
            portal, publisher, id=TOURISM, owner="intruder", owner_org=TOURISM_ORG, ttl=120
        )
        assert secret_owner not in json.dumps(body)
        assert status == 200 and body["result"]["status"] == "held", body
        assert body["result"]["mine"] is False
        # releasing or renewing needs the same owner id
        for op in ("release", "renew"):
            status, body = _lock(
                portal, publisher, id=TOURISM, owner="intruder", owner_org=TOURISM_ORG, op=op
            )
            assert secret_owner not in json.dumps(body)
            assert body["result"]["status"] == "held" and body["result"]["mine"] is False
        status, body = _lock(portal, publisher, id=TOURISM, owner=secret_owner, op="status")
        assert body["result"]["mine"] is True
    finally:
        _lock(portal, publisher, id=TOURISM, owner=secret_owner, op="release")


@pytest.mark.parametrize("ttl", ["abc", 10**12, 0, -5, 3.5, True, [60], 6 * 3600 + 1])
def test_a_bad_ttl_is_409_with_a_message(portal, world, ttl):
    status, body = _lock(
        portal,
        world["actors"].publisher,
        id=TOURISM,
        owner="ttl-check",
        owner_org=TOURISM_ORG,
        ttl=ttl,
    )
    _refused(status, body, 409)
    assert "ttl" in body["error"]
    status, body = _lock(portal, world["actors"].publisher, id=TOURISM, op="status")
    assert body["result"]["status"] == "free"


@pytest.mark.parametrize(
    "data",
    [
        {"owner": "x", "owner_org": TOURISM_ORG},  # no id
        {"id": "x\x00y", "owner": "x", "owner_org": TOURISM_ORG},
        {"id": ["co-so-luu-tru"], "owner": "x"},
        {"id": TOURISM, "owner": "a b\x00"},
        {"id": TOURISM, "owner": "x" * 500},
        {"id": TOURISM, "owner": "x", "op": "steal"},
    ],
)
def test_bad_lock_parameters_are_409_not_500(portal, world, data):
    status, body = _lock(portal, world["actors"].publisher, **data)
    _refused(status, body, 409)


def test_a_new_dataset_is_locked_only_in_an_organisation_the_caller_may_create_in(portal, world):
    a: Actors = world["actors"]
    new = {"id": "bo-du-lieu-moi-chua-co", "owner": "run-new"}
    status, body = _lock(portal, a.other_editor, **new, owner_org=HEALTH_ORG)
    _refused(status, body, 403)
    status, body = _lock(portal, a.no_org, **new, owner_org=TOURISM_ORG)
    _refused(status, body, 403)
    status, body = _lock(portal, a.other_editor, **new, owner_org=TOURISM_ORG)
    assert status == 200 and body["result"]["status"] == "acquired", body
    _lock(portal, a.other_editor, **new, op="release")


# ----------------------------------------------------------------------------- the switch


def test_another_organisations_editor_cannot_switch_health(portal, world):
    a: Actors = world["actors"]
    pkg = portal.ckan("sysadmin").action.package_show(id=HEALTH)
    staging = portal.ckan("sysadmin").action.package_show(id=f"{HEALTH}--staging")
    for token in (a.other_editor, a.no_org, None):
        status, body = call(
            portal,
            "dulieumo_release_switch",
            {"id": pkg["id"], "staging_id": staging["id"], "owner": "x", "private": True},
            token,
        )
        _refused(status, body, 403)
    assert portal.ckan().action.package_show(id=HEALTH)["private"] is False


def test_the_switch_refuses_a_foreign_staging_dataset_and_bad_values(portal, world):
    publisher = world["actors"].publisher
    admin = portal.ckan("sysadmin")
    tourism = admin.action.package_show(id=TOURISM)
    health_staging = admin.action.package_show(id=f"{HEALTH}--staging")
    own_staging = admin.action.package_show(id=f"{TOURISM}--staging")
    status, body = _lock(
        portal, publisher, id=TOURISM, owner="switch-check", owner_org=TOURISM_ORG, ttl=120
    )
    assert status == 200, body
    base = {"id": tourism["id"], "owner": "switch-check"}
    try:
        status, body = call(
            portal,
            "dulieumo_release_switch",
            {**base, "staging_id": health_staging["id"]},
            publisher,
        )
        _refused(status, body, 409)
        latest = world["tourism"].latest_resource_id
        for bad in (
            {"update_resources": {latest: {"last_modified": "not a time"}}},
            {"move": "abc"},
            {"extras": ["a"]},
            {"private": "maybe"},
        ):
            status, body = call(
                portal,
                "dulieumo_release_switch",
                {**base, "staging_id": own_staging["id"], **bad},
                publisher,
            )
            _refused(status, body, 409)
    finally:
        _lock(portal, publisher, id=TOURISM, owner="switch-check", op="release")
    after = admin.action.package_show(id=TOURISM)
    assert after["metadata_modified"] == tourism["metadata_modified"]
