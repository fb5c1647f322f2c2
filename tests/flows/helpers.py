"""Helpers for end-to-end runs of the `dulieumo` command against the real portal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DULIEUMO = str(Path(sys.executable).with_name("dulieumo"))
CATALOG_DIRS = ("datasets", "schemas", "validations", "codelists", "samples")


#: the three file-based sample datasets: what tests of the flows publish (fast, no agency server)
CORE_DATASETS = ("co-so-kham-chua-benh", "co-so-giao-duc", "co-so-luu-tru")


def copy_catalog(dest: Path, only: tuple[str, ...] | None = None) -> Path:
    """A private copy of the sample catalogue that a test may break; with `only`, the specs of
    the other datasets are left out."""
    for name in CATALOG_DIRS:
        if (REPO_ROOT / name).exists():
            shutil.copytree(
                REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__")
            )
    if only is not None:
        for spec in (dest / "datasets").glob("*/*.yaml"):
            if spec.stem not in only:
                spec.unlink()
    return dest


def spec_file(root: Path, dataset: str) -> Path:
    found = list((root / "datasets").glob(f"*/{dataset}.yaml"))
    assert found, f"no spec for {dataset}"
    return found[0]


def edit_spec(root: Path, dataset: str, change: Any) -> Path:
    path = spec_file(root, dataset)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run(
    *args: str, root: Path | None = None, env: dict[str, str] | None = None, timeout: int = 600
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "DULIEUMO_RETRY_DELAYS": "0.2,0.2", **(env or {})}
    if root is not None:
        full_env["DULIEUMO_ROOT"] = str(root)
    return subprocess.run(
        [DULIEUMO, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        cwd=REPO_ROOT,
    )


def json_out(proc: subprocess.CompletedProcess[str]) -> Any:
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(f"not JSON: {proc.stdout!r}\nstderr: {proc.stderr[-3000:]}") from exc


def snapshot(ckan: Any) -> dict[str, Any]:
    """Everything a run could change on the portal, read back through the API."""
    names = ckan.action.package_search(include_private=True, include_drafts=True, rows=1000)
    packages = {}
    for p in names["results"]:
        full = ckan.action.package_show(id=p["id"])
        packages[p["name"]] = {
            "metadata_modified": full["metadata_modified"],
            "resources": sorted(
                (r["id"], r.get("last_modified") or "", r.get("hash") or "")
                for r in full["resources"]
            ),
        }
    return {
        "packages": packages,
        "organizations": sorted(ckan.action.organization_list()),
        "groups": sorted(ckan.action.group_list()),
        "package_list": sorted(ckan.action.package_list()),
    }
