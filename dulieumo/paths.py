"""Where things live on disk."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def catalog_root() -> Path:
    """The folder holding datasets/, schemas/, validations/: DULIEUMO_ROOT or this repository."""
    return Path(os.environ.get("DULIEUMO_ROOT", REPO_ROOT)).resolve()


def work_root() -> Path:
    """Run folders (normalised input, reports): DULIEUMO_WORK_DIR or .dulieumo/ in the repo."""
    return Path(os.environ.get("DULIEUMO_WORK_DIR", REPO_ROOT / ".dulieumo"))


def run_dir(dataset: str, run_id: str) -> Path:
    path = work_root() / "runs" / dataset / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path
