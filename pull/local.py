"""A file on disk (a shared folder, an export dropped by the agency)."""

from __future__ import annotations

from pathlib import Path

from dulieumo.errors import SourceError


def fetch_file(path: Path, label: str) -> Path:
    if not path.is_file():
        raise SourceError(
            f"{label}: source file not found.",
            hint="Check `source.path` in the spec (relative to the catalogue root), or ask "
            "the agency to deliver the file.")
    return path
