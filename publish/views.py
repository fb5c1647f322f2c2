"""Previews on the portal: a filterable, sortable table (CKAN's DataTables view) on each
release's table and on the stable "latest data" link, and a map of the points where the
dataset's schema declares coordinates.

Views are attached to resource ids, so a view made on a staged release table moves with it
at the switch. Each call is idempotent: a view type the resource already has is not made again.
"""

from __future__ import annotations

from typing import Any

from dulieumo.errors import PortalError

from .client import PortalClient

TABLE_VIEW = "datatables_view"
MAP_VIEW = "dulieumo_map"
#: field names that hold WGS84 coordinates when the schema does not say so otherwise
LAT_NAMES = ("vi_do", "latitude", "lat")
LON_NAMES = ("kinh_do", "longitude", "lon", "lng")


def coordinate_fields(schema: dict[str, Any]) -> tuple[str, str] | None:
    """(latitude, longitude) field names of a schema, or None. A field declares itself with
    ``rdfType`` (schema.org latitude/longitude) or by its name (vi_do/kinh_do, latitude/…);
    both must be numbers."""
    lat = lon = None
    for f in schema.get("fields", []):
        if f.get("type") not in ("number", "integer"):
            continue
        rdf = str(f.get("rdfType", "")).lower()
        name = str(f.get("name", "")).lower()
        if rdf.endswith("latitude") or (lat is None and name in LAT_NAMES):
            lat = f["name"]
        elif rdf.endswith("longitude") or (lon is None and name in LON_NAMES):
            lon = f["name"]
    return (lat, lon) if lat and lon else None


def wanted_views(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The views a data resource of this schema gets (without resource_id)."""
    views: list[dict[str, Any]] = [
        {
            "view_type": TABLE_VIEW,
            "title": "Bảng dữ liệu",
            "description": "Xem trước, lọc và sắp xếp dữ liệu trước khi tải về.",
        }
    ]
    coords = coordinate_fields(schema)
    if coords:
        label = next(
            (f["name"] for f in schema.get("fields", []) if f.get("name") in ("ten", "name")),
            "",
        )
        views.append(
            {
                "view_type": MAP_VIEW,
                "title": "Bản đồ",
                "description": "Vị trí các điểm trong dữ liệu (tọa độ WGS84).",
                "latitude_field": coords[0],
                "longitude_field": coords[1],
                "label_field": label,
            }
        )
    return views


def ensure_views(client: PortalClient, resource_id: str, schema: dict[str, Any]) -> list[str]:
    """Create the wanted views the resource lacks; returns the view types created."""
    have = {v.get("view_type") for v in client.call("resource_view_list", {"id": resource_id})}
    made = []
    for view in wanted_views(schema):
        if view["view_type"] in have:
            continue
        try:
            client.call("resource_view_create", {"resource_id": resource_id, **view})
        except PortalError:
            if view["view_type"] == MAP_VIEW:  # a portal without our map view: table only
                continue
            raise
        made.append(view["view_type"])
    return made
