"""The map view (``dulieumo_map``): the points of a DataStore table whose schema declares
coordinates, drawn with Leaflet 1.9.4 (from npm, vendored in ``data_public/``; served by the
portal itself). The points are put in the page by the server (no second API call); map tiles
come from OpenStreetMap when the browser can reach it, and without them the points are still
drawn on a plain background, so the view works offline.
"""

from __future__ import annotations

import math
from typing import Any

import ckan.plugins.toolkit as tk

VIEW_TYPE = "dulieumo_map"
MAX_POINTS = 10_000
LEAFLET = "/dulieumo/leaflet-1.9.4"


def view_info() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    return {
        "name": VIEW_TYPE,
        "title": "Bản đồ",
        "icon": "map-marker",
        "requires_datastore": True,
        "iframed": True,
        "default_title": "Bản đồ",
        "schema": {
            "latitude_field": [ignore_missing, unicode_safe],
            "longitude_field": [ignore_missing, unicode_safe],
            "label_field": [ignore_missing, unicode_safe],
        },
    }


def _number(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if math.isfinite(out) else None


def points(resource_id: str, view: dict[str, Any]) -> list[dict[str, Any]]:
    """[{lat, lon, label}] of the table's rows with valid WGS84 coordinates (at most
    MAX_POINTS), read with the visitor's own rights."""
    lat_f, lon_f = view.get("latitude_field"), view.get("longitude_field")
    if not lat_f or not lon_f:
        return []
    label_f = view.get("label_field") or ""
    fields = [f for f in (lat_f, lon_f, label_f) if f]
    try:
        found = tk.get_action("datastore_search")(
            {}, {"resource_id": resource_id, "fields": fields, "limit": MAX_POINTS}
        )
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return []
    out = []
    for rec in found.get("records", []):
        lat, lon = _number(rec.get(lat_f)), _number(rec.get(lon_f))
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        out.append({"lat": lat, "lon": lon, "label": str(rec.get(label_f) or "")})
    return out
