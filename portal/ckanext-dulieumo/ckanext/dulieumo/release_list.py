"""`dulieumo_release_list`: a dataset's releases as data (read only).

Each release: version, created (UTC ISO time), kind (MAJOR/MINOR/PATCH), rollback_of, sha256
of the CSV, content fingerprint, bytes, rows, rows added/removed/changed, the Vietnamese
summary and note, and its resources (role → {id, name, url, format}). Newest first. The auth
function is package_show's: a private dataset's releases only for those who may read it.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import dataset_fields, params


@tk.side_effect_free
def release_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """:param id: the dataset's id or name. Returns {dataset, version, latest, releases}."""
    name = params.text(data_dict, "id", params.RESOURCE_ID, "a dataset id or name")
    tk.check_access("dulieumo_release_list", context, {"id": name})
    pkg = tk.get_action("package_show")(
        {"user": context.get("user"), "for_view": False}, {"id": name}
    )
    resources = {r["id"]: r for r in pkg.get("resources", [])}
    out = []
    for rec in dataset_fields.releases_out(pkg.get("dulieumo_releases")):
        level = str(rec.get("level", "")).lower()
        rollback = (
            rec.get("rollback_of") or dataset_fields.release_rows([rec], [])[0]["rollback_of"]
        )
        out.append(
            {
                **rec,
                "kind": dataset_fields.KIND_VI.get(level, "PATCH"),
                "rollback_of": rollback,
                "resources": {
                    role: {
                        "id": rid,
                        "name": resources.get(rid, {}).get("name"),
                        "url": resources.get(rid, {}).get("url"),
                        "format": resources.get(rid, {}).get("format"),
                    }
                    for role, rid in (rec.get("resources") or {}).items()
                },
            }
        )
    latest = next(
        (r for r in pkg.get("resources", []) if r.get("dulieumo_role") == "latest-data"), None
    )
    return {
        "dataset": pkg["name"],
        "version": pkg.get("version"),
        "latest": {"id": latest["id"], "url": latest.get("url")} if latest else None,
        "releases": out,
    }


def release_list_auth(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Whoever may read the dataset (package_show's rule: private only to its members)."""
    try:
        tk.check_access("package_show", dict(context), {"id": data_dict.get("id")})
    except tk.NotAuthorized:
        return {"success": False, "msg": "dulieumo_release_list: the dataset is not readable"}
    except tk.ObjectNotFound:
        return {"success": False, "msg": "dulieumo_release_list: dataset not found"}
    return {"success": True}
