"""Running the `dulieumo` command as a user would, and reading the portal back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.catalog import REPO_ROOT

DULIEUMO = str(Path(sys.executable).with_name("dulieumo"))


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
