"""The layers are enforced: the contracts hold on the tree and break on an injected violation.

`make lint` runs the same checks (lint-imports with pyproject.toml's contracts, then
tools/check_private_imports.py); these tests prove the checks would catch a bad import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tools.check_private_imports import PACKAGES

REPO = Path(__file__).resolve().parent.parent
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def copy_sources(dest: Path) -> Path:
    """The product's Python files and pyproject.toml, nothing else (fast, no portal state)."""
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            rel = path.relative_to(REPO)
            if "ckanext-dulieumo" in rel.parts:
                continue
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / rel)
    shutil.copy2(REPO / "pyproject.toml", dest / "pyproject.toml")
    return dest


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT_IMPORTS, "--config", "pyproject.toml", "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )


def inject(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # injected\n", "utf-8")


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sources(tmp_path_factory.mktemp("tree"))


def test_the_contracts_hold_on_the_tree(sources: Path) -> None:
    proc = lint_imports(sources)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Contracts: 3 kept, 0 broken." in proc.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "culprit"),
    [
        # the core imports nothing above it
        ("dulieumo/paths.py", "import flows.publish_dataset", "Layers", "dulieumo.paths -> flows"),
        # a stage never imports another stage
        ("pull/local.py", "from notify import notify_run", "never import each other", "pull.local"),
        ("validate/run.py", "import publish.client", "never import each other", "validate.run"),
        # the flows never import the application
        ("flows/retry.py", "from app.cli.output import emit", "Layers", "flows.retry -> app"),
        # no circle inside a package: the CLI's output helpers never import its main module
        ("app/cli/output.py", "from app.cli import main", "No import circles", ".output -> .main"),
    ],
)
def test_an_injected_violation_breaks_a_contract(
    tmp_path: Path, module: str, line: str, broken: str, culprit: str
) -> None:
    root = copy_sources(tmp_path)
    inject(root / module, line)
    proc = lint_imports(root)
    assert proc.returncode == 1, proc.stdout[-3000:]
    failed = [ln for ln in proc.stdout.splitlines() if "BROKEN" in ln]
    assert any(broken in ln for ln in failed), proc.stdout[-2000:]
    assert culprit in proc.stdout  # the report names the bad import


def test_private_names_across_packages_are_refused(tmp_path: Path) -> None:
    root = copy_sources(tmp_path)
    check = [sys.executable, str(REPO / "tools" / "check_private_imports.py"), str(root)]
    clean = subprocess.run(check, capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stdout
    inject(root / "notify" / "webhook.py", "from publish.releases import _release_state")
    inject(root / "publish" / "datastore.py", "from .client import _private_helper")  # own: ok
    bad = subprocess.run(check, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert "notify/webhook.py" in bad.stdout and "publish.releases._release_state" in bad.stdout
    assert "datastore.py" not in bad.stdout
