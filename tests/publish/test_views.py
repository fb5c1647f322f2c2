"""Which previews a data resource gets (publish/views.py), against the in-memory portal."""

from __future__ import annotations

from publish.views import MAP_VIEW, TABLE_VIEW, coordinate_fields, ensure_views, wanted_views
from tests.support.portal import MemoryCKAN


def _schema(*fields: dict) -> dict:
    return {"fields": [{"name": "ten", "type": "string"}, *fields]}


def test_named_coordinate_fields_are_found():
    schema = _schema({"name": "vi_do", "type": "number"}, {"name": "kinh_do", "type": "number"})
    assert coordinate_fields(schema) == ("vi_do", "kinh_do")


def test_rdf_types_declare_coordinates_whatever_the_names():
    schema = _schema(
        {"name": "y", "type": "number", "rdfType": "https://schema.org/latitude"},
        {"name": "x", "type": "number", "rdfType": "https://schema.org/longitude"},
    )
    assert coordinate_fields(schema) == ("y", "x")


def test_text_or_half_coordinates_are_not_a_map():
    assert (
        coordinate_fields(
            _schema({"name": "vi_do", "type": "string"}, {"name": "kinh_do", "type": "number"})
        )
        is None
    )
    assert coordinate_fields(_schema({"name": "vi_do", "type": "number"})) is None
    assert [v["view_type"] for v in wanted_views(_schema())] == [TABLE_VIEW]


def test_views_are_created_once_with_the_map_fields():
    portal = MemoryCKAN(editor_of={"org"})
    portal.packages["p"] = {"id": "p", "name": "p", "owner_org": "org", "resource_ids": []}
    rid = portal.do_resource_create({"package_id": "p", "name": "bảng"})["id"]
    schema = _schema({"name": "vi_do", "type": "number"}, {"name": "kinh_do", "type": "number"})
    client = portal.client()
    assert ensure_views(client, rid, schema) == [TABLE_VIEW, MAP_VIEW]
    assert ensure_views(client, rid, schema) == []
    mapped = next(v for v in portal.views[rid] if v["view_type"] == MAP_VIEW)
    assert (mapped["latitude_field"], mapped["longitude_field"], mapped["label_field"]) == (
        "vi_do",
        "kinh_do",
        "ten",
    )
