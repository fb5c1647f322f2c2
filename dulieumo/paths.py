"""Where things live on disk."""

from __future__ import annotations

from pathlib import Path

from dulieumo.settings import REPO_ROOT, settings

__all__ = ["REPO_ROOT", "catalog_root", "run_dir", "work_root"]


def catalog_root() -> Path:
    """The folder holding datasets/, schemas/, validations/: DULIEUMO_ROOT or this repository."""
    return settings().root.resolve()


def work_root() -> Path:
    """Run folders (normalised input, reports): DULIEUMO_WORK_DIR or .dulieumo/ in the repo."""
    return settings().work_dir


def run_dir(dataset: str, run_id: str) -> Path:
    path = work_root() / "runs" / dataset / run_id
    path.mkdir(parents=True, exist_ok=True)
    return path
