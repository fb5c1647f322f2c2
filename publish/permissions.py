"""Before the first write: the organisation exists and the token may publish into it.

Everything that can be refused is checked first, so a token without permission or a missing
organisation changes nothing on the portal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dulieumo.errors import PortalError

from .client import PortalClient
from .organizations import _ensure, _group_dict, _org_dict

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec


def check_can_publish(
    client: PortalClient, spec: DatasetSpec, portal: PortalSpec, create_missing: bool = True
) -> None:
    """Refuse early, before any write: organisation exists (or can be made) and token may write."""
    org = next((o for o in portal.organizations if o.name == spec.organization), None)
    if client.exists("organization_show", spec.organization) is None:
        if not create_missing:
            return  # a dry run: the real run creates it (or says who must)
        if org is None:
            raise PortalError(f"Organisation '{spec.organization}' is not in the portal file.")
        _ensure(client, "organization", _org_dict(org), None)
    allowed = client.call("organization_list_for_user", {"permission": "create_dataset"})
    names = {o.get("name") for o in allowed or []}
    if spec.organization not in names:
        raise PortalError(
            f"Dataset '{spec.name}': the API token is invalid, expired, or has no editor right "
            f"on the organisation '{spec.organization}' at {client.url}; nothing was published.",
            hint="Use an editor token of that organisation (CKAN_API_TOKEN), or ask the portal's "
            "sysadmin to make the token's user an editor there.",
            dataset=spec.name,
        )
    for group_name in spec.groups:
        if client.exists("group_show", group_name) is None and create_missing:
            group = next((g for g in portal.groups if g.name == group_name), None)
            if group is None:
                raise PortalError(f"Group '{group_name}' is not in the portal file.")
            _ensure(client, "group", _group_dict(group), None)
