"""Template helpers of the dataset page: the release history, the stable "latest" link and
local times (the portal's time zone, Asia/Ho_Chi_Minh, never UTC on a citizen page)."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import dataset_fields


def _tz() -> str:
    return str(tk.config.get("ckan.display_timezone") or dataset_fields.DEFAULT_TZ)


def release_rows(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """Every release of the dataset, newest first, as the page shows it."""
    return dataset_fields.release_rows(
        (pkg or {}).get("dulieumo_releases"), (pkg or {}).get("resources", []), _tz()
    )


def local_time(value: Any) -> str:
    """ "14:05 ngày 06/12/2026" in the portal's time zone (CKAN's times are naive UTC)."""
    return dataset_fields.local_time(value, _tz())


def latest_link(pkg: dict[str, Any]) -> str | None:
    """The stable download address of the newest release's CSV (never changes)."""
    for res in (pkg or {}).get("resources", []):
        if res.get("dulieumo_role") == "latest-data":
            return str(
                tk.url_for(
                    "resource.download",
                    id=pkg["name"],
                    resource_id=res["id"],
                    _external=True,
                )
            )
    return None


def helpers() -> dict[str, Any]:
    return {
        "dulieumo_release_rows": release_rows,
        "dulieumo_local_time": local_time,
        "dulieumo_latest_link": latest_link,
        "dulieumo_timezone": _tz,
    }
