"""`dulieumo_datastore_load` attacked as another organisation's editor, a user of no
organisation and the anonymous public: it loads only a release's data file of a dataset the
caller may update, builds only from a release of the same dataset, answers bad parameters
with 409 (never 500), and the public keeps reading the live table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import load_catalog
from publish.bulkload import load_request
from tests.security.release_actors import (
    HEALTH,
    TOURISM,
    Actors,
    actors,
    call,
    datastore_rows,
    publish_now,
)
from tests.support.catalog import copy_catalog

ACTION = "dulieumo_datastore_load"
HEALTH_ALIAS = HEALTH.replace("-", "_")


@pytest.fixture(scope="module")
def world(portal, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    portal.reset()
    root = copy_catalog(tmp_path_factory.mktemp("catalog"))
    work = tmp_path_factory.mktemp("work")
    health = publish_now(root, portal, HEALTH, work / "health")
    tourism = publish_now(root, portal, TOURISM, work / "tourism")
    catalog = load_catalog(root)
    schemas = {
        name: json.loads((root / catalog.get(name).schema_path).read_text(encoding="utf-8"))
        for name in (HEALTH, TOURISM)
    }
    status, rows = datastore_rows(portal, HEALTH_ALIAS)
    assert status == 200
    return {
        "actors": actors(portal),
        "health": health,
        "tourism": tourism,
        "schemas": schemas,
        "health_total": rows["total"],
        "root": Path(root),
    }


def _request(world: dict[str, Any], dataset: str, resource_id: str) -> dict[str, Any]:
    req = load_request(world["schemas"][dataset], resource_id)
    assert req is not None
    return req


def _health_served(portal: Any, world: dict[str, Any]) -> None:
    status, result = datastore_rows(portal, HEALTH_ALIAS)
    assert status == 200 and result["total"] == world["health_total"]


def _refused(status: int, body: dict[str, Any], *codes: int) -> None:
    assert status in codes, (status, body)
    assert body.get("success") is False


def test_outsiders_cannot_load_another_organisations_release(portal, world):
    a: Actors = world["actors"]
    table = world["health"].resources["release-data"]
    for token in (a.other_editor, a.no_org, None):
        status, body = call(portal, ACTION, _request(world, HEALTH, table), token)
        _refused(status, body, 403)
    _health_served(portal, world)


def test_only_a_release_data_file_can_be_loaded(portal, world):
    """The report, the datapackage and the "latest" link are not release data files."""
    health = world["health"]
    others = [
        health.resources["release-report"],
        health.resources["release-datapackage"],
        health.latest_resource_id,
    ]
    for rid in others:
        status, body = call(portal, ACTION, _request(world, HEALTH, rid), world["actors"].publisher)
        _refused(status, body, 403, 404)
        assert "not a release data file" in json.dumps(body) or status == 404
    _health_served(portal, world)


def test_a_table_is_built_only_from_a_release_of_the_same_dataset(portal, world):
    """Sở Du lịch's editor may load its own release, but not from Sở Y tế's table."""
    tourism_table = world["tourism"].resources["release-data"]
    req = _request(world, TOURISM, tourism_table)
    req.update(
        base_resource_id=world["health"].resources["release-data"],
        drop_keys=[],
        rows_csv="",
    )
    status, body = call(portal, ACTION, req, world["actors"].other_editor)
    _refused(status, body, 403, 409)
    status, result = datastore_rows(portal, tourism_table)
    assert status == 200 and result["total"] == world["tourism"].rows


@pytest.mark.parametrize(
    "change",
    [
        {"fields": "ma_co_so"},
        {"fields": [{"id": "_id", "type": "text"}]},
        {"fields": [{"id": "x", "type": "text; DROP TABLE x"}]},
        {"primary_key": ["khong_co"]},
        {"missing_values": "-"},
        {"parse": {"ngay": {"format": "YYYY'); DROP TABLE x; --"}}},
        {"resource_id": "../../etc/passwd"},
        {"base_resource_id": 7},
        {"drop_keys": [["a", "b", "c", "d"]], "base_resource_id": "x"},
    ],
)
def test_bad_parameters_are_409_never_500(portal, world, change):
    table = world["health"].resources["release-data"]
    req = dict(_request(world, HEALTH, table), **change)
    status, body = call(portal, ACTION, req, world["actors"].publisher)
    _refused(status, body, 409, 400)
    _health_served(portal, world)


def test_a_published_release_table_is_never_replaced(portal, world):
    """Not even by the dataset's own editor: the public reads it through the aliases."""
    table = world["health"].resources["release-data"]
    status, body = call(portal, ACTION, _request(world, HEALTH, table), world["actors"].publisher)
    _refused(status, body, 409)
    assert "never replaced" in json.dumps(body)
    _health_served(portal, world)
