"""Helpers for the catalogue tests: a private copy of the repository's catalogue to break."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIRS = ("datasets", "schemas", "validations", "codelists")
HEALTH = "datasets/so-y-te/co-so-kham-chua-benh.yaml"


def copy_catalog(dest: Path) -> Path:
    """Copy datasets/, schemas/, validations/, codelists/ (and the sample sources)."""
    for name in CATALOG_DIRS:
        shutil.copytree(REPO_ROOT / name, dest / name)
    shutil.copytree(
        REPO_ROOT / "samples",
        dest / "samples",
        ignore=shutil.ignore_patterns("*.py", "__pycache__"),
    )
    return dest


def read(root: Path, rel: str) -> dict[str, Any]:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write(root: Path, rel: str, data: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
