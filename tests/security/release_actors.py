"""Who attacks the release actions, and the tools to watch a publish from outside.

- actors: an editor of Sở Du lịch only (another organisation's editor for Sở Y tế's data),
  a user of no organisation, and the anonymous public, each with its own API token;
- `publish_now`: one release of a sample dataset with the pipeline's own Releaser;
- `call`: an action over plain HTTP, answering (HTTP status, body), so a 500 is seen as such;
- `GateProxy`: an HTTP proxy in front of the portal that can hold a request until told,
  delay requests, and rewrite the ttl of lock requests.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from publish.client import PortalClient
from publish.releases import PublishResult, Releaser
from pull import pull_source
from tests.support.catalog import copy_catalog
from tests.support.proxy import relay, send_upstream
from validate import validate_table

HEALTH = "co-so-kham-chua-benh"  # Sở Y tế
HEALTH_ORG = "so-y-te"
TOURISM = "co-so-luu-tru"  # Sở Du lịch
TOURISM_ORG = "so-du-lich"
PASSWORD = "Mat-khau-thu-nghiem-2026"


def ensure_user(portal: Any, name: str, org: str | None = None, role: str = "editor") -> str:
    """A user (created once, kept by portal resets), its membership, and a fresh token."""
    admin = portal.ckan("sysadmin")
    try:
        admin.action.user_show(id=name)
    except Exception:
        admin.action.user_create(name=name, email=f"{name}@example.vn", password=PASSWORD)
    if org is not None:
        admin.action.organization_member_create(id=org, username=name, role=role)
    return str(admin.action.api_token_create(user=name, name="security-tests")["token"])


@dataclass
class Actors:
    other_editor: str  # editor of Sở Du lịch only
    no_org: str  # a registered user of no organisation
    publisher: str  # the pipeline's user: editor of every organisation


def actors(portal: Any) -> Actors:
    return Actors(
        ensure_user(portal, "rel_editor_du_lich", TOURISM_ORG),
        ensure_user(portal, "rel_no_org"),
        portal.token("publisher"),
    )


def call(portal: Any, action: str, data: dict[str, Any], token: str | None = None) -> Any:
    """(status, body) of an Action API call over HTTP."""
    headers = {"Authorization": token} if token else {}
    resp = requests.post(
        f"{portal.url}/api/3/action/{action}", json=data, headers=headers, timeout=60
    )
    try:
        body = resp.json()
    except ValueError:
        body = {"raw": resp.text}
    return resp.status_code, body


def publish_now(
    root: Path,
    portal: Any,
    dataset: str,
    work: Path,
    *,
    url: str | None = None,
    flow_run_id: str | None = "security-tests",
) -> PublishResult:
    catalog = load_catalog(root)
    spec = catalog.get(dataset)
    work.mkdir(parents=True, exist_ok=True)
    table = pull_source(spec, root=root, workdir=work)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    client = PortalClient(PortalTarget(url or portal.url, portal.token("publisher")))
    return Releaser(client, spec, catalog.portal, workdir=work, flow_run_id=flow_run_id).publish(
        table, report, schema
    )


def change_a_row(root: Path, mark: str, dataset: str = TOURISM) -> None:
    """Append `mark` to the name in the first data row of the dataset's sample CSV."""
    catalog = load_catalog(root)
    path = root / catalog.get(dataset).source.path  # type: ignore[union-attr]
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    name_col = next(i for i, h in enumerate(rows[0]) if h.startswith("ten"))
    rows[1][name_col] += f" {mark}"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))


def public_state(portal: Any, dataset: str) -> dict[str, Any]:
    """What the public sees of a dataset: version, resources, latest bytes, DataStore rows."""
    pkg = portal.ckan("sysadmin").action.package_show(id=dataset)
    link = next(r for r in pkg["resources"] if r.get("dulieumo_role") == "latest-data")
    latest = requests.get(
        f"{portal.url}/dataset/{dataset}/resource/{link['id']}/download", timeout=60
    ).content
    total = portal.ckan().action.datastore_search(resource_id=dataset.replace("-", "_"), limit=0)[
        "total"
    ]
    return {
        "version": pkg["version"],
        "private": pkg["private"],
        "resources": sorted(r["id"] for r in pkg["resources"]),
        "releases": pkg["dulieumo_releases"],  # the dataset schema's field: a list of records
        "latest": latest,
        "alias_total": total,
    }


def published_root(portal: Any, tmp_path_factory: Any, dataset: str = TOURISM) -> Path:
    """An emptied portal, a private copy of the catalogue, and `dataset` published once."""
    portal.reset()
    root: Path = copy_catalog(tmp_path_factory.mktemp("catalog"))
    publish_now(root, portal, dataset, tmp_path_factory.mktemp("work"))
    return root


def datastore_rows(portal: Any, resource_id: str) -> tuple[int, Any]:
    status, body = call(portal, "datastore_search", {"resource_id": resource_id, "limit": 1})
    return status, body.get("result")


# ----------------------------------------------------------------------------- proxy


@dataclass
class ProxyRules:
    target: str = ""
    hold_on: str | None = None  # path substring: held until `gate` is set, then forwarded
    arrived: threading.Event = field(default_factory=threading.Event)
    gate: threading.Event = field(default_factory=threading.Event)
    delay_on: str | None = None  # path substring: delayed `delay_s` each
    delay_s: float = 0.0
    lock_ttl: int | None = None  # rewrite the ttl of lock requests
    #: (path substring, body substring): the connection is dropped, nothing is forwarded
    drop_on: list[tuple[str, bytes]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)
    answers: list[tuple[str, int, bytes]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    rules: ProxyRules

    def _forward(self) -> None:
        rules = self.rules
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        rules.seen.append(self.path)
        if any(path in self.path and part in body for path, part in rules.drop_on):
            self.close_connection = True
            self.connection.close()
            return
        if rules.lock_ttl and "dulieumo_release_lock" in self.path and body:
            data = json.loads(body)
            if "ttl" in data:
                data["ttl"] = rules.lock_ttl
                body = json.dumps(data).encode()
        if rules.hold_on and rules.hold_on in self.path:
            rules.arrived.set()
            rules.gate.wait(timeout=120)
        if rules.delay_on and rules.delay_on in self.path:
            time.sleep(rules.delay_s)
        resp = send_upstream(self, rules.target, body or None)
        rules.answers.append((self.path, resp.status_code, resp.content))
        relay(self, resp)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        return None


class GateProxy:
    """A proxy to the portal on a free local port; `rules` say what it does to requests."""

    def __init__(self, target: str) -> None:
        self.rules = ProxyRules(target=target)
        handler = type("Handler", (_Handler,), {"rules": self.rules})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.rules.gate.set()
        self.server.shutdown()


def gate_proxy(target: str) -> Iterator[GateProxy]:
    proxy = GateProxy(target)
    try:
        yield proxy
    finally:
        proxy.close()
