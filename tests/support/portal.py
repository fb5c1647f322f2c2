"""An in-memory CKAN portal for fast tests of the release logic.

In the spirit of ckanapi's ``TestAppCKAN``: the real `PortalClient` (with its error mapping)
calls `MemoryCKAN.call_action` instead of HTTP. Only the actions the publisher uses are
implemented, with the behaviour the releaser relies on (CKAN 2.12 and ckanext-dulieumo):
datasets, resources with uploads, organisations and membership, the DataStore (tables,
aliases), the publication lock and the release switch in one step. Anything else raises,
so a new call of the publisher is noticed here first.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ckanapi import NotAuthorized, NotFound, ValidationError

from dulieumo.config import PortalTarget
from publish.client import PortalClient

SITE = "http://portal.test"
RESOURCE_FIELDS = ("url", "name", "description", "format", "hash", "mimetype", "url_type")


@dataclass
class Lock:
    owner: str
    expires: dt.datetime


@dataclass
class MemoryCKAN:
    """The portal's state and its actions. `editor_of`: organisations the token's user may
    publish into; `faults`: action → exception raised the next time it is called."""

    organizations: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    editor_of: set[str] = field(default_factory=set)
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → package
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → resource
    files: dict[str, bytes] = field(default_factory=dict)  # resource id → uploaded bytes
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # DataStore
    aliases: dict[str, str] = field(default_factory=dict)  # alias → resource id
    locks: dict[str, Lock] = field(default_factory=dict)
    views: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # resource id → views
    faults: dict[str, Exception] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # ------------------------------------------------------------------ plumbing

    def call_action(
        self,
        action: str,
        data_dict: dict[str, Any] | None = None,
        context: Any = None,
        apikey: Any = None,
        files: dict[str, Any] | None = None,
        requests_kwargs: Any = None,
    ) -> Any:
        self.calls.append(action)
        if action in self.faults:
            raise self.faults.pop(action)
        handler: Callable[..., Any] | None = getattr(self, "do_" + action, None)
        if handler is None:
            raise NotImplementedError(f"MemoryCKAN does not implement `{action}`")
        data = copy.deepcopy(data_dict or {})
        result = handler(data, files) if action == "resource_create" else handler(data)
        return copy.deepcopy(result)

    def client(self) -> PortalClient:
        """A real PortalClient talking to this portal."""
        return MemoryClient(self)

    def writes(self) -> list[str]:
        """The actions called so far that change something."""
        reads = ("_show", "_list", "_search", "organization_list_for_user")
        return [a for a in self.calls if not a.endswith(reads) and a not in reads]

    def new_id(self, kind: str) -> str:
        return f"{kind}-{next(self._ids)}"

    def package(self, ident: str) -> dict[str, Any]:
        for pkg in self.packages.values():
            if ident in (pkg["id"], pkg["name"]):
                return pkg
        raise NotFound(f"Dataset not found: {ident}")

    def resource(self, ident: str) -> dict[str, Any]:
        res = self.resources.get(ident)
        if res is None or res["state"] != "active":
            raise NotFound(f"Resource not found: {ident}")
        return res

    def shown(self, pkg: dict[str, Any]) -> dict[str, Any]:
        """package_show's answer: the package with its active resources in order."""
        out = {k: v for k, v in pkg.items() if k != "resource_ids"}
        out["resources"] = [
            self.resources[rid]
            for rid in pkg["resource_ids"]
            if self.resources[rid]["state"] == "active"
        ]
        out["organization"] = {"name": pkg["owner_org"]}
        return out

    def may_write(self, org: str) -> None:
        if org not in self.editor_of:
            raise NotAuthorized(f"User not authorized to edit datasets of {org}")

    # ------------------------------------------------------------------ site, organisations

    def do_help_show(self, data: dict[str, Any]) -> str:
        """An action's documentation; NotFound for an action this portal does not have (the
        publisher asks before using an action of a newer extension)."""
        handler = getattr(self, "do_" + str(data.get("name")), None)
        if handler is None:
            raise NotFound(f"Action function not found: {data.get('name')}")
        return str(handler.__doc__ or "")

    def do_status_show(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"site_url": SITE, "ckan_version": "2.12.0"}

    def do_organization_show(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["id"] not in self.organizations:
            raise NotFound("Organization not found")
        return self.organizations[data["id"]]

    def do_organization_list_for_user(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        return [self.organizations[n] for n in sorted(self.editor_of) if n in self.organizations]

    def do_group_show(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["id"] not in self.groups:
            raise NotFound("Group not found")
        return self.groups[data["id"]]

    # ------------------------------------------------------------------ datasets

    def do_package_show(self, data: dict[str, Any]) -> dict[str, Any]:
        return self.shown(self.package(data["id"]))

    def do_package_create(self, data: dict[str, Any]) -> dict[str, Any]:
        self.may_write(data.get("owner_org", ""))
        if any(p["name"] == data["name"] for p in self.packages.values()):
            raise ValidationError({"name": ["That URL is already in use."]})
        pkg = {
            "extras": [],
            "tags": [],
            "groups": [],
            "private": False,
            "version": None,
            **data,
            "id": self.new_id("pkg"),
            "state": "active",
            "resource_ids": [],
        }
        self.packages[pkg["id"]] = pkg
        return self.shown(pkg)

    def do_package_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        pkg = self.package(data.pop("id"))
        self.may_write(pkg["owner_org"])
        data.pop("resources", None)
        pkg.update(data)
        return self.shown(pkg)

    do_package_update = do_package_patch

    def do_package_delete(self, data: dict[str, Any]) -> None:
        pkg = self.package(data["id"])
        self.may_write(pkg["owner_org"])
        pkg["state"] = "deleted"

    # ------------------------------------------------------------------ resources

    def do_resource_create(
        self, data: dict[str, Any], files: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        pkg = self.package(data.pop("package_id"))
        self.may_write(pkg["owner_org"])
        rid = self.new_id("res")
        res = {**data, "id": rid, "package_id": pkg["id"], "state": "active"}
        if files and "upload" in files:
            filename, fh = files["upload"]
            self.files[rid] = fh.read()
            res["url"] = f"{SITE}/dataset/{pkg['id']}/resource/{rid}/download/{filename}"
            res["url_type"] = "upload"
            res["size"] = len(self.files[rid])
        self.resources[rid] = res
        pkg["resource_ids"].append(rid)
        return res

    def do_resource_patch(self, data: dict[str, Any]) -> dict[str, Any]:
        res = self.resource(data.pop("id"))
        res.update(data)
        return res

    def do_resource_delete(self, data: dict[str, Any]) -> None:
        res = self.resource(data["id"])
        self.may_write(self.packages[res["package_id"]]["owner_org"])
        res["state"] = "deleted"

    # ------------------------------------------------------------------ DataStore

    def table_of(self, ident: str) -> list[dict[str, Any]]:
        rid = self.aliases.get(ident, ident)
        if rid not in self.tables:
            raise NotFound(f'Resource "{ident}" was not found.')
        return self.tables[rid]

    def do_datastore_create(self, data: dict[str, Any]) -> dict[str, Any]:
        self.resource(data["resource_id"])
        self.tables[data["resource_id"]] = list(data.get("records") or [])
        return {"resource_id": data["resource_id"], "fields": data.get("fields", [])}

    def do_datastore_upsert(self, data: dict[str, Any]) -> dict[str, Any]:
        self.table_of(data["resource_id"]).extend(data.get("records") or [])
        return {"resource_id": data["resource_id"]}

    def do_datastore_delete(self, data: dict[str, Any]) -> dict[str, Any]:
        rid = data["resource_id"]
        if rid not in self.tables:
            raise NotFound(f'Resource "{rid}" was not found.')
        del self.tables[rid]
        self.aliases = {a: r for a, r in self.aliases.items() if r != rid}
        return {"resource_id": rid}

    def do_resource_view_list(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        self.resource(data["id"])
        return self.views.get(data["id"], [])

    def do_resource_view_create(self, data: dict[str, Any]) -> dict[str, Any]:
        res = self.resource(data["resource_id"])
        self.may_write(self.packages[res["package_id"]]["owner_org"])
        if data.get("view_type") not in ("datatables_view", "dulieumo_map"):
            raise ValidationError({"view_type": ["No plugin found for this view type"]})
        view = {**data, "id": self.new_id("view")}
        self.views.setdefault(data["resource_id"], []).append(view)
        return view

    def do_datastore_search(self, data: dict[str, Any]) -> dict[str, Any]:
        rows = self.table_of(data["resource_id"])
        limit = int(data.get("limit", 100))
        return {"total": len(rows), "records": rows[:limit]}

    # ------------------------------------------------------------------ ckanext-dulieumo

    def do_dulieumo_release_lock(self, data: dict[str, Any]) -> dict[str, Any]:
        """As the extension's locks.py: op acquire | renew | release | status | unlock, a
        structured answer that never names the run holding the lock."""
        name, owner = data["id"], data.get("owner")
        op = "release" if data.get("release") else data.get("op", "acquire")
        existing = next((p for p in self.packages.values() if p["name"] == name), None)
        self.may_write(existing["owner_org"] if existing else data.get("owner_org"))
        now = dt.datetime.now(dt.UTC)
        held = self.locks.get(name)
        live = held is not None and held.expires > now
        ttl = dt.timedelta(seconds=int(data.get("ttl", 600)))
        if op == "acquire":
            if live and held is not None and held.owner != owner:
                status = "held"
            else:
                status = "renewed" if live else "acquired"
                self.locks[name] = Lock(str(owner), now + ttl)
        elif op == "renew":
            status = "held" if not live or held is None or held.owner != owner else "renewed"
            if status == "renewed":
                self.locks[name] = Lock(str(owner), now + ttl)
        elif op == "release":
            status = "released" if held is not None and held.owner == owner else "free"
            if status == "released":
                del self.locks[name]
        elif op == "unlock":
            status = "cleared" if held is not None else "free"
            self.locks.pop(name, None)
        else:
            status = "held" if live else "free"
        current = self.locks.get(name)
        mine = current is not None and current.expires > now and current.owner == owner
        return {
            "dataset": name,
            "status": status,
            "mine": mine,
            "expires": current.expires.isoformat() if current and current.expires > now else None,
            "renewed": None,
            "stale": False,
        }

    def do_dulieumo_release_switch(self, data: dict[str, Any]) -> dict[str, Any]:
        pkg = self.package(data["id"])
        staging = self.package(data["staging_id"])
        self.may_write(pkg["owner_org"])
        held = self.locks.get(pkg["name"])
        if held is None or held.owner != data["owner"] or held.expires <= dt.datetime.now(dt.UTC):
            raise ValidationError({"lock": [f"run {data['owner']} does not hold the lock"]})
        # check everything first: the real action is one transaction
        for rid in data.get("move", []):
            if rid not in staging["resource_ids"] or self.resources[rid]["state"] != "active":
                raise ValidationError({"move": [f"resource {rid} is not staged"]})
        for rid in data.get("update_resources") or {}:
            if rid not in pkg["resource_ids"]:
                raise ValidationError({"update_resources": [f"resource {rid} not found"]})
        for rid in data.get("move", []):
            staging["resource_ids"].remove(rid)
            pkg["resource_ids"].append(rid)
            self.resources[rid]["package_id"] = pkg["id"]
        for rid, fields in (data.get("update_resources") or {}).items():
            self.resources[rid].update(fields)
        for rid in data.get("delete_resources", []):
            if rid in pkg["resource_ids"]:
                self.resources[rid]["state"] = "deleted"
        rank = {rid: i for i, rid in enumerate(data.get("order") or [])}
        pkg["resource_ids"].sort(key=lambda r: rank.get(r, len(rank)))
        extras = {e["key"]: e["value"] for e in pkg.get("extras", [])}
        for key, value in (data.get("extras") or {}).items():
            if value is None:
                extras.pop(key, None)
            else:
                extras[key] = str(value)
        pkg["extras"] = [{"key": k, "value": v} for k, v in extras.items()]
        if "version" in data:
            pkg["version"] = data["version"]
        pkg["private"] = bool(data.get("private", False))
        return self.shown(pkg)

    def do_dulieumo_datastore_alias(self, data: dict[str, Any]) -> dict[str, Any]:
        rid = data["resource_id"]
        self.resource(rid)
        if rid not in self.tables:
            raise ValidationError({"resource_id": [f"no DataStore table for {rid}"]})
        for alias in data["aliases"]:
            if alias in self.tables:
                raise ValidationError({"aliases": [f"{alias} is a table, not an alias"]})
            self.aliases[alias] = rid
        return {"resource_id": rid, "aliases": list(data["aliases"])}

    # ------------------------------------------------------------------ downloads

    def download(self, url: str) -> bytes | None:
        """The bytes behind a resource URL (a "latest" link is followed to its release)."""
        for rid, res in self.resources.items():
            if res["state"] == "active" and res.get("url") == url and rid in self.files:
                return self.files[rid]
        if "/resource/" in url:
            rid = url.split("/resource/")[1].split("/")[0]
            if rid in self.files and self.resources[rid]["state"] == "active":
                return self.files[rid]
        return None


class MemoryClient(PortalClient):
    """The real client, its actions answered by a MemoryCKAN and its downloads too."""

    def __init__(self, ckan: MemoryCKAN) -> None:
        super().__init__(PortalTarget(SITE, "memory-token"), ckan=ckan)
        self.memory = ckan

    def download(self, url: str, dest: Path) -> Path | None:
        data = self.memory.download(url)
        if data is None:
            return None
        dest.write_bytes(data)
        return dest


def memory_portal(
    organizations: list[str], *, groups: Sequence[str] = (), editor: bool = True
) -> MemoryCKAN:
    """A portal with these organisations and groups (the token's user an editor of each
    organisation when `editor`)."""
    orgs = {n: {"name": n, "title": n, "state": "active"} for n in organizations}
    found = {n: {"name": n, "title": n, "state": "active"} for n in groups}
    return MemoryCKAN(organizations=orgs, groups=found, editor_of=set(orgs) if editor else set())
