"""Organisations (the agencies) and groups (the themes, lĩnh vực) on the portal.

A sysadmin token creates what the portal file declares; an editor token can only check
that what a dataset needs already exists and says who must create it otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ckanapi import NotAuthorized, NotFound

from dulieumo.errors import PortalError

if TYPE_CHECKING:
    from dulieumo.catalog import GroupSpec, OrganizationSpec, PortalSpec


def _extras(**values: str | None) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items() if v]


#: the organisation extras its portal page shows (address, phone, e-mail, website)
CONTACT_EXTRAS = {
    "address": "dia_chi",
    "phone": "dien_thoai",
    "email": "email",
    "website": "website",
}


def _org_dict(org: OrganizationSpec) -> dict[str, Any]:
    contact = org.contact
    return {
        "name": org.name,
        "title": org.title,
        "description": org.description or "",
        "extras": _extras(
            ma_dinh_danh=org.code,
            title_en=org.title_en,
            **{
                extra: (str(getattr(contact, field)) if getattr(contact, field) else None)
                for field, extra in CONTACT_EXTRAS.items()
            }
            if contact
            else {},
        ),
    }


def _extras_of(d: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in d.get("extras") or []}


def _group_dict(group: GroupSpec) -> dict[str, Any]:
    return {
        "name": group.name,
        "title": group.title,
        "description": group.description or "",
        "extras": _extras(title_en=group.title_en),
    }


def _ensure(ckan: Any, kind: str, wanted: dict[str, Any], editor: str | None) -> str | None:
    """Create or update one organisation/group; returns the name if it was created."""
    created = None
    try:
        current = ckan.call_action(f"{kind}_show", {"id": wanted["name"]})
    except NotFound:
        current = None
    if current is None or current.get("state") != "active":
        try:
            ckan.call_action(f"{kind}_create", wanted)
        except NotAuthorized:
            raise PortalError(
                f"The {kind} '{wanted['name']}' does not exist on the portal and this API token "
                "may not create it.",
                hint="Ask a portal sysadmin to create it (locally: `dulieumo portal up` creates "
                "every organisation and group of datasets/portal.yaml).",
            ) from None
        created = wanted["name"]
    elif any(current.get(k) != wanted[k] for k in ("title", "description")) or _extras_of(
        current
    ) != _extras_of(wanted):
        try:
            ckan.call_action(f"{kind}_patch", {"id": wanted["name"], **wanted})
        except NotAuthorized:
            pass  # editors cannot retitle an organisation; the portal's title stays
    if editor:
        capacity = "editor" if kind == "organization" else "member"
        ckan.call_action(
            f"{kind}_member_create",
            {"id": wanted["name"], "username": editor, "role": capacity},
        )
    return created


def ensure_organizations(ckan: Any, portal: PortalSpec, editor: str | None = None) -> list[str]:
    """Make the portal's organisations and groups match the portal file; return those created."""
    created: list[str] = []
    for org in portal.organizations:
        name = _ensure(ckan, "organization", _org_dict(org), editor)
        if name:
            created.append(name)
    for group in portal.groups:
        name = _ensure(ckan, "group", _group_dict(group), editor)
        if name:
            created.append(name)
    return created
