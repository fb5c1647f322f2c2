"""The row diff computed ahead (while the table is validated) is what planning uses, only
when it compared the very table with the release that is still the latest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dulieumo.catalog import load_catalog
from publish import ahead
from publish.releases import Releaser
from publish.rowdelta import RowDiff
from pull import pull_source
from tests.publish.test_release_logic import (
    DATASET,
    SCHEMA,
    portal_for,
    release,
    rows_of,
    write,
)
from tests.support.catalog import copy_catalog


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "catalog", only=(DATASET,))


def _changed_table(root: Path, work: Path):
    header, rows = rows_of(root)
    rows[0] = {**rows[0], header[-1]: "Đã sửa trước khi kiểm tra"}
    write(root, header, rows)
    spec = load_catalog(root).get(DATASET)
    return spec, pull_source(spec, root=root, workdir=work)


def test_the_diff_ahead_equals_planning_and_is_used_when_it_fits(root: Path, tmp_path: Path):
    portal = portal_for(root)
    release(root, portal)  # 1.0.0
    spec, table = _changed_table(root, tmp_path / "work")
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    found = ahead.result(
        ahead.start(lambda: ahead.diff_ahead(portal.client(), DATASET, table, schema, tmp_path))
    )
    assert found is not None and found.previous_version == "1.0.0"
    assert (found.diff.changed, found.diff.added, found.diff.removed) == (1, 0, 0)

    catalog = load_catalog(root)
    releaser = Releaser(portal.client(), spec, catalog.portal, workdir=tmp_path / "w")
    computed = releaser.plan(table, schema).notes
    assert computed is not None and computed.diff.to_dict() == found.diff.to_dict()

    marker = RowDiff(added=7, unchanged=1, keyed_by=found.key)  # tells which diff was used
    fitting = ahead.DiffAhead("1.0.0", found.previous_csv, table.sha256, found.key, marker)
    releaser.ahead = ahead.start(lambda: fitting)
    notes = releaser.plan(table, schema).notes
    assert notes is not None and notes.diff is marker
    for stale in (
        ahead.DiffAhead("0.9.0", found.previous_csv, table.sha256, found.key, marker),
        ahead.DiffAhead("1.0.0", found.previous_csv, "another file", found.key, marker),
        ahead.DiffAhead("1.0.0", found.previous_csv, table.sha256, ["khac"], marker),
    ):
        releaser.ahead = ahead.start(lambda stale=stale: stale)
        notes = releaser.plan(table, schema).notes
        assert notes is not None and notes.diff is not marker
        assert notes.diff.to_dict() == found.diff.to_dict()


def test_a_failed_or_absent_diff_ahead_leaves_planning_to_compare(root: Path, tmp_path: Path):
    portal = portal_for(root)
    release(root, portal)
    spec, table = _changed_table(root, tmp_path / "work")
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))

    def broken() -> None:
        raise OSError("the portal went away")

    assert ahead.result(ahead.start(broken)) is None  # type: ignore[arg-type]
    assert ahead.result(None) is None
    releaser = Releaser(portal.client(), spec, load_catalog(root).portal, workdir=tmp_path / "w")
    releaser.ahead = ahead.start(broken)  # type: ignore[arg-type]
    notes = releaser.plan(table, schema).notes
    assert notes is not None and notes.diff.changed == 1


def test_no_release_yet_means_no_diff_ahead(root: Path, tmp_path: Path):
    portal = portal_for(root)
    spec = load_catalog(root).get(DATASET)
    table = pull_source(spec, root=root, workdir=tmp_path / "work")
    schema = json.loads((root / SCHEMA).read_text(encoding="utf-8"))
    assert ahead.diff_ahead(portal.client(), DATASET, table, schema, tmp_path) is None
