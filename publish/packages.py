"""The portal datasets a release goes through: the public dataset, its private staging twin
(where a release is prepared out of public sight) and the public dataset's stable "latest"
links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ckanapi import NotFound

from .client import PortalClient
from .state import LATEST_ROLES, ROLE_KEY, ReleaseState

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec

#: role → (name, format, description) of the stable links
LATEST_LINKS = {
    "latest-data": (
        "Dữ liệu mới nhất (CSV)",
        "CSV",
        "Luôn trỏ tới tệp CSV của phiên bản mới nhất. Địa chỉ này không đổi.",
    ),
    "latest-datapackage": (
        "datapackage.json mới nhất",
        "JSON",
        "Mô tả gói dữ liệu của phiên bản mới nhất.",
    ),
    "latest-report": (
        "Báo cáo kiểm tra chất lượng mới nhất",
        "JSON",
        "Kết quả kiểm tra dữ liệu của phiên bản mới nhất.",
    ),
}


def drop_resource(client: PortalClient, resource_id: str) -> None:
    """Delete a resource and its DataStore table (either may already be gone)."""
    try:
        client.call("datastore_delete", {"resource_id": resource_id, "force": True})
    except NotFound:
        pass
    try:
        client.call("resource_delete", {"id": resource_id})
    except NotFound:
        pass


def staging_dataset(client: PortalClient, spec: DatasetSpec) -> dict[str, Any]:
    """The private staging dataset, emptied of whatever a failed run left there."""
    name = f"{spec.name}--staging"
    staging = client.exists("package_show", name)
    if staging is None or staging.get("state") != "active":
        data = {
            "name": name,
            "title": f"[Chuẩn bị phát hành] {spec.title.vi}",
            "owner_org": spec.organization,
            "private": True,
            "notes": "Tập dữ liệu tạm dùng để chuẩn bị phiên bản mới; không công khai.",
        }
        if staging is not None:
            staging = client.call("package_patch", {"id": staging["id"], **data, "state": "active"})
        else:
            staging = client.call("package_create", data)
    for res in staging.get("resources", []):
        drop_resource(client, res["id"])
    return dict(client.call("package_show", {"id": staging["id"]}))


def public_dataset(
    client: PortalClient, state: ReleaseState, meta: dict[str, Any]
) -> dict[str, Any]:
    """The public dataset; a new one is created private until its first switch."""
    if state.package is not None and state.package.get("state") == "active":
        return state.package
    if state.package is not None:
        return dict(
            client.call(
                "package_patch",
                {"id": state.package["id"], **meta, "private": True, "state": "active"},
            )
        )
    return dict(client.call("package_create", {**meta, "private": True}))


def latest_links(
    client: PortalClient, public: dict[str, Any], state: ReleaseState, fallback_url: str
) -> dict[str, str]:
    """role → id of the stable 'latest' resources; created (or re-created after a manual
    deletion) pointing at the current latest release, so nothing public changes before the
    switch. `fallback_url` is where a link points before the first release."""
    state = ReleaseState.read(public) if state.package is None else state
    current = state.latest
    ids: dict[str, str] = {}
    for role in LATEST_ROLES:
        res = ReleaseState.read(public).by_role(role) or state.by_role(role)
        if res is None:
            target = None
            if current:
                release_res = state.resource(
                    current.resources.get(role.replace("latest-", "release-"))
                )
                target = release_res["url"] if release_res else None
            name, fmt, desc = LATEST_LINKS[role]
            res = client.call(
                "resource_create",
                {
                    "package_id": public["id"],
                    "name": name,
                    "format": fmt,
                    "description": desc,
                    "url": target or fallback_url,
                    ROLE_KEY: role,
                },
            )
        ids[role] = res["id"]
    return ids
