"""Auth functions of the release actions (registered through IAuthFunctions).

Each one looks the dataset up on the server and checks the caller's right on the dataset's
OWN organisation; what the caller says about the organisation is used only for a dataset
that does not exist yet. Refusals name no other run and no other user.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import params

AuthResult = dict[str, Any]
STAGING_SUFFIX = "--staging"


def public_name(name: str) -> str:
    """The public dataset a staging dataset prepares releases for."""
    return name[: -len(STAGING_SUFFIX)] if name.endswith(STAGING_SUFFIX) else name


def dataset(name_or_id: Any) -> model.Package | None:
    if not isinstance(name_or_id, str) or not params.RESOURCE_ID.match(name_or_id):
        return None
    return model.Package.get(name_or_id)


def refused(action: str, why: str) -> AuthResult:
    return {"success": False, "msg": f"{action}: {why}"}


def allowed(
    action: str, permission: str, context: dict[str, Any], data_dict: dict[str, Any]
) -> AuthResult:
    try:
        tk.check_access(permission, dict(context), data_dict)
    except tk.NotAuthorized:
        return refused(action, f"needs {permission} in the dataset's organisation")
    return {"success": True}


def may_update(action: str, context: dict[str, Any], pkg: model.Package) -> AuthResult:
    return allowed(action, "package_update", context, {"id": pkg.id})


def release_lock(context: dict[str, Any], data_dict: dict[str, Any]) -> AuthResult:
    """An editor of the dataset's own organisation; for a new dataset, of the organisation
    it will be created in."""
    action = "dulieumo_release_lock"
    pkg = dataset(data_dict.get("id"))
    if pkg is not None:
        return may_update(action, context, pkg)
    owner_org = data_dict.get("owner_org")
    if not isinstance(owner_org, str) or not params.RESOURCE_ID.match(owner_org):
        return refused(action, "owner_org is needed for a dataset that does not exist")
    return allowed(action, "package_create", context, {"owner_org": owner_org})


def release_switch(context: dict[str, Any], data_dict: dict[str, Any]) -> AuthResult:
    """package_update on the public dataset and on its staging dataset."""
    action = "dulieumo_release_switch"
    pkg = dataset(data_dict.get("id"))
    staging = dataset(data_dict.get("staging_id"))
    if pkg is None or staging is None:
        return refused(action, "dataset or staging dataset not found")
    result = may_update(action, context, pkg)
    return result if not result["success"] else may_update(action, context, staging)


def datastore_alias(context: dict[str, Any], data_dict: dict[str, Any]) -> AuthResult:
    """package_update on the dataset the target table belongs to (the public one, when the
    table is still in its staging dataset)."""
    rid = data_dict.get("resource_id")
    valid = isinstance(rid, str) and params.RESOURCE_ID.match(rid)
    res = model.Resource.get(rid) if valid else None
    action = "dulieumo_datastore_alias"
    if res is None or res.package is None:
        return refused(action, "resource not found")
    pkg = dataset(public_name(res.package.name))
    if pkg is None:
        return refused(action, "the resource's dataset was not found")
    result = may_update(action, context, pkg)
    return result if not result["success"] else may_update(action, context, res.package)


def datastore_load(context: dict[str, Any], data_dict: dict[str, Any]) -> AuthResult:
    """package_update on the dataset of a release's data file (and on its public dataset,
    when the file is still staged). Any other resource is refused; so is a base table."""
    from .datastore_load import release_resource

    action = "dulieumo_datastore_load"
    res = release_resource(data_dict.get("resource_id"))
    if res is None:
        return refused(action, "not a release data file of this portal")
    pkg = dataset(public_name(res.package.name))
    if pkg is None:
        return refused(action, "the resource's dataset was not found")
    result = may_update(action, context, pkg)
    if result["success"] and res.package.id != pkg.id:
        result = may_update(action, context, res.package)
    base_id = data_dict.get("base_resource_id")
    if result["success"] and base_id is not None:
        base = release_resource(base_id)
        if base is None or public_name(base.package.name) != pkg.name:
            return refused(action, "the base table is not a release of the same dataset")
    return result


def auth_functions() -> dict[str, Any]:
    return {
        "dulieumo_release_lock": release_lock,
        "dulieumo_release_switch": release_switch,
        "dulieumo_datastore_alias": datastore_alias,
        "dulieumo_datastore_load": datastore_load,
    }
