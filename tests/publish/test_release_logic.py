"""The release logic against the in-memory portal (tests/support/portal.py): versions,
unchanged detection, the MAJOR gate, notes, rollback, retention, the lock, faults. Seconds,
not minutes; test_releases.py checks the same against the real portal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from ckanapi import ValidationError

from dulieumo.catalog import Catalog, load_catalog
from dulieumo.errors import PortalError, TerminalError
from publish.releases import BreakingChange, PublicationLocked, PublishResult, Releaser
from publish.retention import RetentionPolicy
from publish.rollback import releases, rollback
from publish.state import ReleaseState
from pull import pull_source
from tests.support.catalog import copy_catalog, read_rows, write_rows
from tests.support.portal import MemoryCKAN, memory_portal
from validate import Report

DATASET = "co-so-luu-tru"
CSV = Path("samples/so-du-lich/co-so-luu-tru.csv")
SCHEMA = Path("schemas/so-du-lich/co-so-luu-tru.json")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "catalog", only=(DATASET,))


def portal_for(root: Path, *, editor: bool = True) -> MemoryCKAN:
    catalog = load_catalog(root)
    return memory_portal(
        [o.name for o in catalog.portal.organizations],
        groups=[g.name for g in catalog.portal.groups],
        editor=editor,
    )


def release(
    root: Path, portal: MemoryCKAN, *, html: bytes | None = b"<p>report</p>", **kw: Any
) -> PublishResult:
    catalog: Catalog = load_catalog(root)
    spec = catalog.get(DATASET)
    work = root.parent / f"run-{len(list(root.parent.glob('run-*')))}"
    table = pull_source(spec, root=root, workdir=work)
    rows = sum(1 for _ in csv.reader(io.StringIO(table.path.read_text(encoding="utf-8")))) - 1
    report = Report(DATASET, str(CSV), rows)
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    releaser = Releaser(portal.client(), spec, catalog.portal, workdir=work, flow_run_id="t")
    return releaser.publish(
        table, report, schema, html=(lambda v: html + v.encode()) if html else None, **kw
    )


def rows_of(root: Path) -> tuple[list[str], list[dict[str, str]]]:
    return read_rows(root / CSV)


def write(root: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    write_rows(root / CSV, header, rows)


def edit_schema(root: Path, change: Any) -> None:
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    change(schema)
    (root / SCHEMA).write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")


def public(portal: MemoryCKAN) -> dict[str, Any]:
    return portal.do_package_show({"id": DATASET})


def by_role(pkg: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [r for r in pkg["resources"] if r.get("dulieumo_role") == role]


def latest_bytes(portal: MemoryCKAN) -> bytes | None:
    return portal.download(by_role(public(portal), "latest-data")[0]["url"])


def change_one_row(root: Path) -> dict[str, str]:
    """One row's room count changed and the last row removed; returns the removed row."""
    header, rows = rows_of(root)
    rows[0]["so_phong"] = str(int(rows[0]["so_phong"]) + 1)
    removed = rows.pop()
    write(root, header, rows)
    return removed


# ----------------------------------------------------------------------------- versions


def test_first_release_is_1_0_0_public_with_its_files_and_table(root: Path) -> None:
    portal = portal_for(root)
    result = release(root, portal)
    assert (result.action, result.version) == ("created", "1.0.0")
    pkg = public(portal)
    assert pkg["private"] is False and pkg["version"] == "1.0.0"
    roles = {r["dulieumo_role"] for r in pkg["resources"]}
    assert roles == {
        "latest-data",
        "latest-datapackage",
        "latest-report",
        "release-data",
        "release-datapackage",
        "release-report",
        "release-report-html",
    }
    data = by_role(pkg, "release-data")[0]
    assert data["url"].endswith(f"/{DATASET}-v1.0.0.csv")
    assert latest_bytes(portal) == (root / CSV).read_bytes()
    html = portal.download(by_role(pkg, "release-report-html")[0]["url"])
    assert html == b"<p>report</p>1.0.0"  # the bytes the caller rendered, for this version
    # the DataStore table behind the stable alias holds every row
    assert portal.do_datastore_search({"resource_id": "co_so_luu_tru"})["total"] == result.rows
    assert result.rows == len(rows_of(root)[1])
    # the staging dataset stays private and empty
    staging = portal.do_package_show({"id": f"{DATASET}--staging"})
    assert staging["private"] is True and staging["resources"] == []
    assert portal.locks == {}  # the lock was given back


def test_the_same_data_again_is_unchanged_and_writes_nothing(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    portal.calls.clear()
    result = release(root, portal)
    assert (result.action, result.version) == ("unchanged", "1.0.0")
    # only the alias repair (idempotent) may write
    assert set(portal.writes()) <= {"dulieumo_datastore_alias"}


def test_changed_rows_make_a_patch_release_with_notes(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    removed = change_one_row(root)
    result = release(root, portal)
    assert result.version == "1.0.1"
    notes = result.notes or {}
    assert (notes["rows_added"], notes["rows_removed"], notes["rows_changed"]) == (0, 1, 1)
    assert notes["row_samples"]["removed"][0]["ma_co_so"] == removed["ma_co_so"]
    pkg = public(portal)
    assert [r["dulieumo_version"] for r in by_role(pkg, "release-data")] == ["1.0.1", "1.0.0"]
    assert "Dòng thêm mới: 0" in by_role(pkg, "release-data")[0]["description"]
    old = by_role(pkg, "release-data")[1]
    assert removed["ma_co_so"].encode() in (portal.download(old["url"]) or b"")
    assert removed["ma_co_so"].encode() not in (latest_bytes(portal) or b"")
    assert [r["version"] for r in releases(portal.client(), DATASET)] == ["1.0.1", "1.0.0"]


def test_a_note_makes_a_release_even_when_nothing_changed(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    result = release(root, portal, note="Sửa lỗi chính tả trong mô tả.")
    assert result.version == "1.0.1"
    assert (result.notes or {})["note"] == "Sửa lỗi chính tả trong mô tả."


def test_an_added_field_is_a_minor_release(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    edit_schema(root, lambda s: s["fields"].append({"name": "ghi_chu", "type": "string"}))
    header, rows = rows_of(root)
    write(root, [*header, "ghi_chu"], [{**r, "ghi_chu": ""} for r in rows])
    result = release(root, portal)
    assert result.version == "1.1.0"
    kinds = {c["kind"] for c in (result.notes or {})["schema_changes"]}
    assert kinds == {"field-added"}


def test_a_removed_field_needs_approval_and_writes_nothing_until_approved(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    header, rows = rows_of(root)
    dropped = header[-1]
    edit_schema(root, lambda s: s["fields"].pop())
    write(root, header[:-1], rows)
    portal.calls.clear()
    with pytest.raises(BreakingChange) as err:
        release(root, portal)
    assert f"Bỏ cột {dropped}" in str(err.value) and "--approve-major" in str(err.value)
    assert portal.writes() == []
    assert public(portal)["version"] == "1.0.0"
    assert release(root, portal, approve_major=True).version == "2.0.0"


def test_a_dry_run_plans_without_writing(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    change_one_row(root)
    portal.calls.clear()
    result = release(root, portal, dry_run=True)
    assert (result.action, result.version) == ("planned", "1.0.1")
    assert (result.plan or {})["rows"]["removed"] == 1
    assert portal.writes() == []


# ----------------------------------------------------------------------------- rollback


def test_rollback_publishes_the_old_data_as_a_new_release(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    v1 = latest_bytes(portal)
    change_one_row(root)
    release(root, portal)
    assert latest_bytes(portal) != v1
    catalog = load_catalog(root)
    result = rollback(
        portal.client(),
        catalog.get(DATASET),
        catalog.portal,
        "1.0.0",
        workdir=root.parent / "rollback",
    )
    assert result.version == "1.0.2"
    assert latest_bytes(portal) == v1
    assert "Khôi phục dữ liệu của phiên bản 1.0.0" in ((result.notes or {})["note"] or "")
    # the release's own HTML report is kept, as it was
    html = by_role(public(portal), "release-report-html")[0]
    assert portal.download(html["url"]) == b"<p>report</p>1.0.0"
    # a release made after the rollback goes past it
    change_one_row(root)
    assert release(root, portal).version == "1.0.3"


def test_rollback_to_an_unknown_version_says_which_exist(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    catalog = load_catalog(root)
    with pytest.raises(TerminalError) as err:
        rollback(portal.client(), catalog.get(DATASET), catalog.portal, "9.9.9", workdir=root)
    assert "no release 9.9.9" in str(err.value) and "1.0.0" in str(err.value)


# ----------------------------------------------------------------------------- retention


def test_retention_keeps_the_last_n_and_drops_the_others_files_and_tables(root: Path) -> None:
    portal = portal_for(root)
    keep_one = RetentionPolicy(keep_last=1, one_per_year=False)
    first = release(root, portal, retention=keep_one)
    change_one_row(root)
    second = release(root, portal, retention=keep_one)
    pkg = public(portal)
    assert [r["dulieumo_version"] for r in by_role(pkg, "release-data")] == ["1.0.1"]
    assert first.resources["release-data"] not in portal.tables
    assert all(portal.resources[rid]["state"] == "deleted" for rid in first.resources.values())
    state = ReleaseState.read(pkg)
    assert [r.version for r in state.releases] == ["1.0.1"]
    assert portal.do_datastore_search({"resource_id": "co_so_luu_tru"})["total"] == second.rows


def test_only_the_two_newest_releases_stay_queryable_every_file_stays(root: Path) -> None:
    portal = portal_for(root)
    results = [release(root, portal)]
    for _ in range(2):
        change_one_row(root)
        results.append(release(root, portal))
    oldest, *newest = (r.resources["release-data"] for r in results)
    assert oldest not in portal.tables and all(rid in portal.tables for rid in newest)
    files = [rid for r in results for rid in r.resources.values()]
    assert all(portal.resources[rid]["state"] == "active" for rid in files)
    assert [r.version for r in ReleaseState.read(public(portal)).releases] == [
        "1.0.2",
        "1.0.1",
        "1.0.0",
    ]
    change_one_row(root)
    every = release(root, portal, retention=RetentionPolicy(queryable=None))
    assert every.resources["release-data"] in portal.tables and newest[0] in portal.tables


# ----------------------------------------------------------------------------- lock, faults


def test_a_second_run_cannot_publish_while_one_holds_the_lock(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    change_one_row(root)
    portal.do_dulieumo_release_lock(
        {"id": DATASET, "owner": "other-run", "owner_org": "so-du-lich", "ttl": 600}
    )
    with pytest.raises(PublicationLocked) as err:
        release(root, portal)
    assert "being published by another run" in str(err.value)
    assert public(portal)["version"] == "1.0.0"
    assert portal.locks["co-so-luu-tru"].owner == "other-run"  # not taken from its holder
    portal.do_dulieumo_release_lock(
        {"id": DATASET, "owner": "other-run", "owner_org": "so-du-lich", "release": True}
    )
    assert release(root, portal).version == "1.0.1"


def test_a_failed_switch_leaves_the_public_release_and_the_next_run_converges(
    root: Path,
) -> None:
    portal = portal_for(root)
    release(root, portal)
    before = public(portal)
    change_one_row(root)
    portal.faults["dulieumo_release_switch"] = ValidationError({"switch": ["injected"]})
    with pytest.raises(PortalError):
        release(root, portal)
    assert public(portal) == before  # nothing public changed
    assert portal.locks == {}  # and the lock was given back
    result = release(root, portal)
    assert result.version == "1.0.1"
    staging = portal.do_package_show({"id": f"{DATASET}--staging"})
    assert staging["resources"] == []  # what the failed run staged was cleared


def test_a_token_without_editor_right_changes_nothing(root: Path) -> None:
    portal = portal_for(root, editor=False)
    with pytest.raises(PortalError) as err:
        release(root, portal)
    assert "no editor right" in str(err.value)
    assert portal.writes() == [] and portal.packages == {}


def test_a_latest_link_deleted_by_hand_is_repaired(root: Path) -> None:
    portal = portal_for(root)
    release(root, portal)
    link = by_role(public(portal), "latest-report")[0]
    portal.do_resource_delete({"id": link["id"]})
    result = release(root, portal)
    assert result.version == "1.0.1"  # a repair is a release of its own
    assert (result.plan or {})["repairs"] == ["latest-report"]
    assert len(by_role(public(portal), "latest-report")) == 1
