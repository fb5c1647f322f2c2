"""Versioned releases against the running portal: versions, notes, rollback, retention,
atomicity under injected faults, the publication lock and hand-made damage."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from dulieumo.catalog import load_catalog
from dulieumo.config import PortalTarget
from dulieumo.errors import PortalError, PortalUnavailable
from publish.client import PortalClient
from publish.lock import PublicationLocked
from publish.releases import BreakingChange, Releaser
from publish.retention import RetentionPolicy
from publish.rollback import releases, rollback
from pull import pull_source
from tests.support.catalog import copy_catalog, read_rows, write_rows
from tests.support.cli import snapshot
from tests.support.proxy import forward, send_upstream
from validate import validate_table

DATASET = "co-so-luu-tru"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_catalog(tmp_path_factory.mktemp("catalog"))


@pytest.fixture(scope="module")
def fresh(portal):
    portal.reset()
    return portal


def _client(url: str, token: str) -> PortalClient:
    return PortalClient(PortalTarget(url, token))


def release(root: Path, portal, *, url: str | None = None, tmp: Path, **kw):
    catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    work = tmp / f"run-{len(list(tmp.glob('run-*')))}"
    table = pull_source(spec, root=root, workdir=work)
    report = validate_table(table.path, spec, root=root)
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    client = _client(url or portal.url, portal.token("publisher"))
    return Releaser(client, spec, catalog.portal, workdir=work, flow_run_id="test").publish(
        table, report, schema, **kw
    )


def _rows(root: Path) -> tuple[list[str], list[dict[str, str]]]:
    return read_rows(root / "samples" / "so-du-lich" / "co-so-luu-tru.csv")


def _write(root: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    write_rows(root / "samples" / "so-du-lich" / "co-so-luu-tru.csv", header, rows)


def _edit_schema(root: Path, change) -> None:
    path = root / "schemas" / "so-du-lich" / "co-so-luu-tru.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    change(schema)
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")


def _package(portal) -> dict:
    return portal.ckan("sysadmin").action.package_show(id=DATASET)


def _by_role(pkg: dict, role: str) -> list[dict]:
    return [r for r in pkg["resources"] if r.get("dulieumo_role") == role]


def _latest_bytes(portal) -> bytes:
    link = _by_role(_package(portal), "latest-data")[0]
    return requests.get(
        f"{portal.url}/dataset/{DATASET}/resource/{link['id']}/download", timeout=60
    ).content


def _alias_total(portal) -> int:
    return portal.ckan().action.datastore_search(resource_id="co_so_luu_tru", limit=0)["total"]


# ----------------------------------------------------------------------------- versions


def test_first_release_is_1_0_0_and_public(fresh, root, tmp_path):
    result = release(root, fresh, tmp=tmp_path)
    assert (result.action, result.version) == ("created", "1.0.0")
    pkg = _package(fresh)
    assert pkg["private"] is False and pkg["version"] == "1.0.0"
    assert len(_by_role(pkg, "release-data")) == 1
    assert "co-so-luu-tru-v1.0.0.csv" in _by_role(pkg, "release-data")[0]["url"]
    assert _alias_total(fresh) == result.rows
    # the staging dataset stays private and empty
    staging = fresh.ckan("sysadmin").action.package_show(id=f"{DATASET}--staging")
    assert staging["private"] is True and staging["resources"] == []


def test_changed_rows_make_a_patch_release_with_notes(fresh, root, tmp_path):
    header, rows = _rows(root)
    rows[0]["so_phong"] = str(int(rows[0]["so_phong"]) + 1)
    removed = rows.pop()
    _write(root, header, rows)
    result = release(root, fresh, tmp=tmp_path)
    assert result.version == "1.0.1"
    notes = result.notes
    assert (notes["rows_added"], notes["rows_removed"], notes["rows_changed"]) == (0, 1, 1)
    assert notes["row_samples"]["removed"][0]["ma_co_so"] == removed["ma_co_so"]
    pkg = _package(fresh)
    assert len(_by_role(pkg, "release-data")) == 2
    data = _by_role(pkg, "release-data")[0]
    assert "thêm 0" in data["description"] or "Dòng thêm mới: 0" in data["description"]
    assert _alias_total(fresh) == len(rows)
    # every earlier release is still downloadable, with its own bytes
    old = next(r for r in _by_role(pkg, "release-data") if r["dulieumo_version"] == "1.0.0")
    assert removed["ma_co_so"].encode() in requests.get(old["url"], timeout=60).content
    assert removed["ma_co_so"].encode() not in _latest_bytes(fresh)


def test_releases_command_lists_versions(fresh):
    got = releases(_client(fresh.url, fresh.token("publisher")), DATASET)
    assert [r["version"] for r in got] == ["1.0.1", "1.0.0"]
    assert all(len(r["sha256"]) == 64 and r["created"] for r in got)


def test_compatible_schema_change_makes_a_minor_release(fresh, root, tmp_path):
    _edit_schema(
        root,
        lambda s: s["fields"].append({"name": "ghi_chu", "type": "string", "title": "Ghi chú"}),
    )
    header, rows = _rows(root)
    for r in rows:
        r["ghi_chu"] = ""
    _write(root, [*header, "ghi_chu"], rows)
    result = release(root, fresh, tmp=tmp_path)
    assert result.version == "1.1.0"
    assert {c["kind"] for c in result.notes["schema_changes"]} == {"field-added"}


def test_breaking_change_needs_approval_and_changes_nothing(fresh, root, tmp_path):
    _edit_schema(root, lambda s: s["fields"].pop())  # drop ghi_chu again
    header, rows = _rows(root)
    _write(root, [h for h in header if h != "ghi_chu"], rows)
    before = snapshot(fresh.ckan("sysadmin"))
    with pytest.raises(BreakingChange) as err:
        release(root, fresh, tmp=tmp_path)
    assert "Bỏ cột ghi_chu" in str(err.value) and "--approve-major" in str(err.value)
    assert snapshot(fresh.ckan("sysadmin")) == before
    result = release(root, fresh, tmp=tmp_path, approve_major=True)
    assert result.version == "2.0.0"


def test_rollback_makes_an_old_release_latest_again(fresh, root, tmp_path):
    v1 = requests.get(
        next(
            r["url"]
            for r in _by_role(_package(fresh), "release-data")
            if r["dulieumo_version"] == "1.0.0"
        ),
        timeout=60,
    ).content
    catalog = load_catalog(root)
    result = rollback(
        _client(fresh.url, fresh.token("publisher")),
        catalog.get(DATASET),
        catalog.portal,
        "1.0.0",
        workdir=tmp_path,
    )
    assert result.version not in ("1.0.0", "2.0.0")
    assert "Khôi phục dữ liệu của phiên bản 1.0.0" in result.notes["note"]
    assert _latest_bytes(fresh) == v1
    versions = [
        r["version"] for r in releases(_client(fresh.url, fresh.token("publisher")), DATASET)
    ]
    assert versions[0] == result.version and "1.0.0" in versions and "2.0.0" in versions


def test_rollback_to_unknown_version_is_a_clear_error(fresh, root, tmp_path):
    catalog = load_catalog(root)
    with pytest.raises(Exception, match=r"no release 9\.9\.9.*releases:"):
        rollback(
            _client(fresh.url, fresh.token("publisher")),
            catalog.get(DATASET),
            catalog.portal,
            "9.9.9",
            workdir=tmp_path,
        )


# ----------------------------------------------------------------------------- faults


class _Proxy(BaseHTTPRequestHandler):
    target = ""
    fail_on: str | None = None
    mode = "500"
    hits = 0

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if _Proxy.fail_on and _Proxy.fail_on in self.path:
            _Proxy.hits += 1
            if _Proxy.mode == "drop":
                self.connection.shutdown(socket.SHUT_RDWR)
                self.connection.close()
                return
            if _Proxy.mode == "after":  # the portal does it, the answer is lost
                send_upstream(self, _Proxy.target, body)
                self.connection.shutdown(socket.SHUT_RDWR)
                self.connection.close()
                return
            payload = b'{"success": false, "error": {"message": "injected"}}'
            self.send_response(500)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        forward(self, _Proxy.target, body)

    do_GET = do_POST = _forward

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def proxy(fresh) -> Iterator[type[_Proxy]]:
    _Proxy.target, _Proxy.fail_on, _Proxy.mode, _Proxy.hits = fresh.url, None, "500", 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Proxy.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    yield _Proxy
    server.shutdown()


def _public_state(portal) -> dict:
    pkg = _package(portal)
    return {
        "version": pkg["version"],
        "resources": sorted(r["id"] for r in pkg["resources"]),
        "latest": _latest_bytes(portal),
        "alias_total": _alias_total(portal),
        "private": pkg["private"],
    }


@pytest.mark.parametrize(
    ("fail_on", "mode"),
    [
        ("resource_create", "500"),
        ("dulieumo_datastore_load", "drop"),
        ("dulieumo_release_switch", "500"),
        ("dulieumo_release_switch", "drop"),
    ],
)
def test_faults_leave_the_previous_release_and_the_next_run_converges(
    fresh, root, tmp_path, proxy, fail_on, mode
):
    header, rows = _rows(root)
    rows[1]["ten"] = rows[1]["ten"] + f" ({fail_on} {mode})"
    _write(root, header, rows)
    before = _public_state(fresh)
    proxy.fail_on, proxy.mode = fail_on, mode
    with pytest.raises((PortalError, PortalUnavailable)):
        release(root, fresh, url=proxy.url, tmp=tmp_path)
    assert proxy.hits >= 1
    assert _public_state(fresh) == before
    proxy.fail_on = None
    result = release(root, fresh, url=proxy.url, tmp=tmp_path)
    assert result.action == "released"
    after = _public_state(fresh)
    assert after["version"] == result.version != before["version"]
    assert f"({fail_on} {mode})".encode() in after["latest"]
    staging = fresh.ckan("sysadmin").action.package_show(id=f"{DATASET}--staging")
    assert staging["resources"] == []


def test_answer_lost_after_the_switch_converges_to_unchanged(fresh, root, tmp_path, proxy):
    header, rows = _rows(root)
    rows[2]["ten"] = rows[2]["ten"] + " (mất phản hồi)"
    _write(root, header, rows)
    proxy.fail_on, proxy.mode = "dulieumo_release_switch", "after"
    with pytest.raises((PortalError, PortalUnavailable)):
        release(root, fresh, url=proxy.url, tmp=tmp_path)
    proxy.fail_on = None
    result = release(root, fresh, url=proxy.url, tmp=tmp_path)
    assert result.action == "unchanged"  # the switch had happened: the release is there
    assert " (mất phản hồi)".encode() in _latest_bytes(fresh)
    assert _alias_total(fresh) == len(rows)  # the alias step was repaired


def test_a_second_run_cannot_publish_while_one_holds_the_lock(fresh, root, tmp_path):
    client = _client(fresh.url, fresh.token("publisher"))
    client.call(
        "dulieumo_release_lock",
        {"id": DATASET, "owner": "other-run", "owner_org": "so-du-lich", "ttl": 60},
    )
    header, rows = _rows(root)
    rows[3]["ten"] = rows[3]["ten"] + " (khóa)"
    _write(root, header, rows)
    before = _public_state(fresh)
    try:
        with pytest.raises(PublicationLocked, match="being published by another run"):
            release(root, fresh, tmp=tmp_path)
        assert _public_state(fresh) == before
    finally:
        client.call(
            "dulieumo_release_lock",
            {"id": DATASET, "owner": "other-run", "owner_org": "so-du-lich", "release": True},
        )
    assert release(root, fresh, tmp=tmp_path).action == "released"


def test_a_latest_link_deleted_by_hand_is_repaired(fresh, root, tmp_path):
    admin = fresh.ckan("sysadmin")
    link = _by_role(_package(fresh), "latest-data")[0]
    admin.action.resource_delete(id=link["id"])
    result = release(root, fresh, tmp=tmp_path)
    assert result.action == "released"
    assert "latest-data" in result.plan["repairs"]
    links = _by_role(_package(fresh), "latest-data")
    assert len(links) == 1 and _latest_bytes(fresh).startswith(b"ma_co_so,")


def test_retention_keeps_the_last_n(fresh, root, tmp_path):
    header, rows = _rows(root)
    rows[4]["ten"] = rows[4]["ten"] + " (lưu giữ)"
    _write(root, header, rows)
    result = release(
        root, fresh, tmp=tmp_path, retention=RetentionPolicy(keep_last=2, one_per_year=False)
    )
    pkg = _package(fresh)
    versions = sorted(r["dulieumo_version"] for r in _by_role(pkg, "release-data"))
    assert len(versions) == 2 and result.version in versions
    listed = [r["version"] for r in releases(_client(fresh.url, fresh.token("publisher")), DATASET)]
    assert sorted(listed) == versions


def test_datapackage_of_a_release_has_provenance_and_hashes(fresh):
    pkg = _package(fresh)
    dp_res = _by_role(pkg, "release-datapackage")[0]
    dp = requests.get(dp_res["url"], timeout=60).json()
    data = next(r for r in _by_role(pkg, "release-data") if r["dulieumo_version"] == dp["version"])
    body = requests.get(data["url"], timeout=60).content
    res = dp["resources"][0]
    assert res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    assert res["bytes"] == len(body)
    prov = dp["x_dulieumo"]["provenance"]
    assert prov["flow_run_id"] == "test" and len(prov["source_sha256"]) == 64
    assert dp["x_dulieumo"]["release_notes"]["version"] == dp["version"]
