"""A worker machine installs what runs flows, not the dev tools (make install-worker)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.catalog import REPO_ROOT


def _packages(*args: str) -> set[str]:
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path.home() / ".local" / "bin"))
    if uv is None:
        pytest.skip("uv is not on PATH")
    proc = subprocess.run(
        [uv, "export", "--frozen", "--no-hashes", "--no-emit-project", *args],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return {
        re.split(r"[=<>; ]", line, maxsplit=1)[0].lower()
        for line in proc.stdout.splitlines()
        if line and not line.startswith(("#", " "))
    }


def test_worker_environment_has_the_flows_and_not_the_dev_tools() -> None:
    worker = _packages("--no-dev")
    dev = _packages()
    for needed in ("prefect", "great-expectations", "psycopg2-binary", "ckanapi", "frictionless"):
        assert needed in worker, needed
    for tool in ("ruff", "mypy", "pytest", "import-linter", "aiosmtpd"):
        assert tool in dev and tool not in worker, tool
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "uv) sync --frozen --no-dev" in makefile.replace("$(UV", "uv")
