"""The commands a program might call: JSON output and exit codes."""

from __future__ import annotations

import json

import pytest

from tests.support.catalog import copy_catalog, edit_spec
from tests.support.cli import json_out, run


@pytest.mark.slow
def test_catalog_list_json(tmp_path):
    proc = run("catalog", "list", "--json", root=copy_catalog(tmp_path))
    assert proc.returncode == 0, proc.stderr
    rows = json_out(proc)
    names = {r["name"] for r in rows}
    assert {"co-so-kham-chua-benh", "co-so-giao-duc", "co-so-luu-tru"} <= names
    assert all(r["title"] and r["organization"] for r in rows)


@pytest.mark.slow
def test_catalog_check_exit_codes(tmp_path):
    root = copy_catalog(tmp_path)
    proc = run("catalog", "check", root=root)
    assert proc.returncode == 0 and "Catalogue OK." in proc.stdout
    edit_spec(root, "co-so-luu-tru", lambda d: d.__setitem__("organization", "so-khong-co"))
    proc = run("catalog", "check", "--json", root=root)
    assert proc.returncode == 1
    problems = json.loads(proc.stdout)
    assert any("so-khong-co" in p["message"] for p in problems)
    assert "Traceback" not in proc.stderr


def test_catalog_list_with_a_bad_spec_is_a_clear_error(tmp_path):
    root = copy_catalog(tmp_path)
    edit_spec(root, "co-so-luu-tru", lambda d: d.pop("title"))
    proc = run("catalog", "list", root=root)
    assert proc.returncode == 2
    assert "co-so-luu-tru.yaml" in proc.stderr and "title" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_releases_and_rollback_commands(portal, tmp_path):
    root = copy_catalog(tmp_path)
    portal.reset()
    assert run("publish", "co-so-luu-tru", root=root).returncode == 0
    proc = run("releases", "co-so-luu-tru", "--json", root=root)
    assert proc.returncode == 0, proc.stderr
    listed = json_out(proc)
    assert [r["version"] for r in listed] == ["1.0.0"]
    proc = run("rollback", "co-so-luu-tru", "--to", "9.9.9", root=root)
    assert proc.returncode == 2
    assert "no release 9.9.9" in proc.stderr and "dulieumo releases" in proc.stderr
    proc = run("rollback", "co-so-luu-tru", "--to", "1.0.0", "--json", root=root)
    assert proc.returncode == 0, proc.stderr
    assert json_out(proc)["version"] == "1.0.1"
    proc = run("releases", "co-so-luu-tru", root=root)
    assert "1.0.1" in proc.stdout and "1.0.0" in proc.stdout
