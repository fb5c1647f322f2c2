"""Making a prepared release public: one portal transaction, then the DataStore aliases.

`switch_release` calls ``dulieumo_release_switch``: the staged resources move into the public
dataset, the stable "latest" links point at them, the release list and extras are updated,
and the releases retention drops are deleted, all at once. The stable DataStore aliases are
then re-pointed in one DataStore transaction (``dulieumo_datastore_alias``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ckanapi import NotFound

from dulieumo.errors import PortalError

from .client import PortalClient
from .freshness import freshness_extras
from .metadata import OBSOLETE_EXTRAS, kept_extras
from .notes import ReleaseNotes
from .retention import RetentionPolicy
from .state import (
    EXTRA_ALIAS,
    EXTRA_FINGERPRINT,
    EXTRA_RELEASES,
    LATEST_ROLES,
    RELEASE_EXTRA_ROLES,
    RELEASE_ROLES,
    VERSION_KEY,
    ReleaseRecord,
)

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec


def datastore_alias_name(dataset: str) -> str:
    return dataset.replace("-", "_")


@dataclass
class Retained:
    """The release list after a new release and the retention policy."""

    releases: list[ReleaseRecord]  # newest first
    drop_ids: list[str]  # resources of the releases dropped
    #: data resources of kept releases whose DataStore table goes (their files stay)
    table_ids: list[str] = field(default_factory=list)


def retain(
    record: ReleaseRecord, earlier: list[ReleaseRecord], retention: RetentionPolicy
) -> Retained:
    releases = [record, *earlier]
    kept, dropped = retention.select(releases)
    drop_ids = [rid for r in releases if r.version in dropped for rid in r.resources.values()]
    off = set(retention.without_table(kept))
    table_ids = [
        r.resources["release-data"]
        for r in releases
        if r.version in off and "release-data" in r.resources
    ]
    return Retained([r for r in releases if r.version in kept], drop_ids, table_ids)


def release_extras(
    spec: DatasetSpec, notes: ReleaseNotes, fingerprint: str, releases: list[ReleaseRecord]
) -> dict[str, Any]:
    """The release state the switch writes: the schema's hidden fields (release list,
    fingerprint, alias), the freshness extras, and None for the obsolete extras of releases
    before the dataset schema (the switch removes them)."""
    return {
        **{key: None for key in sorted(OBSOLETE_EXTRAS)},
        EXTRA_FINGERPRINT: fingerprint,
        EXTRA_RELEASES: json.dumps([r.to_dict() for r in releases], ensure_ascii=False),
        EXTRA_ALIAS: datastore_alias_name(spec.name),
        "version_notes": notes.summary_vi(),
        **freshness_extras(spec, notes.created),
    }


def update_metadata(client: PortalClient, public: dict[str, Any], meta: dict[str, Any]) -> None:
    """Descriptive metadata (title, tags, the schema's fields) before the switch; the
    release state is kept (the switch replaces it) and obsolete extras are dropped."""
    client.call(
        "package_patch",
        {
            "id": public["id"],
            **{k: v for k, v in meta.items() if k != "private"},
            "extras": [*meta["extras"], *kept_extras(public)],
        },
    )


@dataclass
class Switch:
    """A release prepared in the staging dataset, ready to become public."""

    public_id: str
    staging_id: str
    owner: str  # the run holding the publication lock
    version: str
    staged: dict[str, str]  # role → staged resource id
    files: dict[str, str]  # role → file name
    latest_ids: dict[str, str]  # latest role → resource id of the stable link
    retained: Retained
    extras: dict[str, Any]
    visibility: dict[str, bool]  # {"private": …} or {} to keep it (metadata.switch_visibility)

    def payload(self, site: str) -> dict[str, Any]:
        """The data of ``dulieumo_release_switch``."""
        update: dict[str, dict[str, Any]] = {
            self.latest_ids[role]: {
                "url": f"{site}/dataset/{self.public_id}/resource/{self.staged[src]}/download/"
                f"{self.files[src]}",
                "url_type": "",
                VERSION_KEY: self.version,
            }
            for role, src in zip(LATEST_ROLES, RELEASE_ROLES, strict=True)
        }
        # the latest data link is queryable: its id is a DataStore alias of the new table
        update[self.latest_ids["latest-data"]]["datastore_active"] = True
        roles = (*RELEASE_ROLES, *RELEASE_EXTRA_ROLES)
        order = [self.latest_ids[r] for r in LATEST_ROLES] + [
            rid
            for r in self.retained.releases
            for rid in (r.resources.get(role) for role in roles)
            if rid
        ]
        return {
            "id": self.public_id,
            "staging_id": self.staging_id,
            "owner": self.owner,
            "move": [self.staged[r] for r in roles if r in self.staged],
            "update_resources": update,
            "order": order,
            "extras": self.extras,
            "version": self.version,
            **self.visibility,
            "delete_resources": self.retained.drop_ids,
        }


def switch_release(client: PortalClient, switch: Switch, *, site: str, alias: str) -> None:
    """The switch, then the aliases, then the dropped releases' DataStore tables."""
    client.call("dulieumo_release_switch", switch.payload(site))
    point_aliases(client, switch.staged["release-data"], alias, switch.latest_ids["latest-data"])
    # retention: the dropped releases' tables, and the tables of releases no longer queryable
    for rid in [*switch.retained.drop_ids, *switch.retained.table_ids]:
        try:
            client.call("datastore_delete", {"resource_id": rid, "force": True})
        except (NotFound, PortalError):
            pass


def point_aliases(client: PortalClient, resource_id: str, alias: str, link_id: str) -> None:
    """The stable DataStore names (the alias and the latest link's id) → `resource_id`."""
    client.call(
        "dulieumo_datastore_alias", {"resource_id": resource_id, "aliases": [alias, link_id]}
    )
