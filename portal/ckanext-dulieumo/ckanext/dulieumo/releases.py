"""The atomic switch to a new release (`dulieumo_release_switch`).

The publisher prepares a release out of public sight (files and DataStore tables in the
private staging dataset ``<name>--staging``), then calls ``dulieumo_release_switch`` which, in
ONE database transaction, moves the staged resources into the public dataset, re-points its
"latest" resources and updates its metadata. The dataset keeps its visibility unless the
caller sends ``private``. The DataStore aliases (aliases.py) are then re-pointed in one
transaction of the DataStore database; the publication lock is in locks.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk

from . import params, release_activity
from .auth import STAGING_SUFFIX
from .locks import holds_lock

log = logging.getLogger(__name__)

RESOURCE_FIELDS = {
    "url",
    "name",
    "description",
    "format",
    "hash",
    "size",
    "mimetype",
    "last_modified",
    "url_type",
}


def _parse_time(rid: str, value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        raise params.refuse(
            "update_resources", f"resource {rid}: last_modified is not an ISO 8601 time"
        ) from None


def _validated(data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every parameter checked up front: a bad one is a 409 naming it, never a 500."""
    checked: dict[str, Any] = {
        "id": params.text(data_dict, "id", params.RESOURCE_ID, "a dataset id or name"),
        "staging_id": params.text(
            data_dict, "staging_id", params.RESOURCE_ID, "a dataset id or name"
        ),
        "owner": params.owner_id(data_dict),
        "move": params.id_list(data_dict, "move"),
        "order": params.id_list(data_dict, "order"),
        "delete_resources": params.id_list(data_dict, "delete_resources"),
        "update_resources": params.mapping(data_dict, "update_resources"),
        "extras": params.mapping(data_dict, "extras"),
    }
    for rid, fields in checked["update_resources"].items():
        if not params.RESOURCE_ID.match(str(rid)) or not isinstance(fields, dict):
            raise params.refuse("update_resources", "must map resource ids to objects")
    if "version" in data_dict and not isinstance(data_dict["version"], (str, type(None))):
        raise params.refuse("version", "must be text")
    if data_dict.get("private") is not None:
        checked["private"] = params.flag(data_dict, "private")
    return checked


def release_switch(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Make a prepared release public in one transaction.

    :param id: the public dataset; :param staging_id: its staging dataset
    (``<name>--staging``); :param owner: the run holding the lock; :param move: ids of staged
    resources to move; :param update_resources: {resource id: fields} for the public dataset's
    resources (the "latest" links); :param order: final order of resource ids; :param extras:
    {key: value} of the release (version, release list; None removes a key); :param version:
    the dataset's version field; :param private: visibility after the switch (absent: the
    dataset keeps its visibility); :param delete_resources: ids of the public dataset's
    resources to delete (retention).
    """
    checked = _validated(data_dict)
    tk.check_access("dulieumo_release_switch", context, data_dict)
    pkg = model.Package.get(checked["id"])
    staging = model.Package.get(checked["staging_id"])
    if pkg is None or staging is None:
        raise tk.ObjectNotFound("dataset or staging dataset not found")
    if staging.name != pkg.name + STAGING_SUFFIX:
        raise params.refuse(
            "staging_id", f"the staging dataset of {pkg.name} is {pkg.name}{STAGING_SUFFIX}"
        )
    if not holds_lock(pkg.name, checked["owner"]):
        raise params.refuse(
            "lock",
            f"this run does not hold the publication lock of {pkg.name} (it expired or was "
            "cleared); run again",
        )

    session = model.Session
    try:
        _apply(pkg, staging, checked, data_dict)
        session.commit()
    except Exception:
        session.rollback()
        raise
    search.rebuild(pkg.id)
    search.rebuild(staging.id)
    released = checked["extras"].get("dulieumo_releases")
    release_activity.record(context, pkg, release_activity.release_data(released))
    return tk.get_action("package_show")({"user": context.get("user")}, {"id": pkg.id})


def _apply(
    pkg: model.Package, staging: model.Package, checked: dict[str, Any], data_dict: dict[str, Any]
) -> None:
    session = model.Session
    for rid in checked["move"]:
        res = model.Resource.get(rid)
        if res is None or res.package_id != staging.id:
            raise params.refuse("move", f"resource {rid} is not staged")
        res.package_id = pkg.id
    for rid, fields in checked["update_resources"].items():
        res = model.Resource.get(rid)
        if res is None or res.package_id != pkg.id:
            raise params.refuse("update_resources", f"resource {rid} not found")
        extras = dict(res.extras or {})
        for key, value in fields.items():
            if key == "last_modified" and isinstance(value, str):
                res.last_modified = _parse_time(rid, value)
            elif key in RESOURCE_FIELDS:
                setattr(res, key, value)
            else:
                extras[key] = value
        res.extras = extras
    for rid in checked["delete_resources"]:
        res = model.Resource.get(rid)
        if res is not None and res.package_id == pkg.id:
            res.state = "deleted"
    session.flush()
    live = list(
        session.query(model.Resource)
        .filter(model.Resource.package_id == pkg.id)
        .filter(model.Resource.state == "active")
    )
    rank = {rid: i for i, rid in enumerate(checked["order"])}
    live.sort(key=lambda r: (rank.get(r.id, len(rank)), r.position or 0))
    for i, res in enumerate(live):
        res.position = i
    extras = dict(pkg.extras or {})
    for key, value in checked["extras"].items():
        if value is None:
            extras.pop(key, None)
        else:
            extras[key] = str(value)
    pkg.extras = extras
    if "version" in data_dict:
        pkg.version = data_dict["version"]
    if "private" in checked:
        pkg.private = checked["private"]
    pkg.metadata_modified = dt.datetime.utcnow()
