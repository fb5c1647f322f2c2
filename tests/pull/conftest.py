"""Every pull test gets its own work root (the HTTP cache lives there)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def work_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "work"
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(root))
    return root
