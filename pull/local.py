"""Connector for `source.type: file` — a file on disk (a shared folder, an agency's drop)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dulieumo.errors import SourceError

from .table import RawFile

if TYPE_CHECKING:
    from dulieumo.catalog import FileSource


def source_uri(source: FileSource) -> str:
    return source.path.as_posix()


def fetch_file(source: FileSource, *, root: Path, workdir: Path, label: str) -> RawFile:
    """The file is read in place (no copy): the decoder streams it once."""
    path = source.path if source.path.is_absolute() else root / source.path
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise SourceError(
            f"{label}: source file {what} ({path}).",
            hint="Check `source.path` in the dataset spec (relative to the catalogue root), "
            "or ask the agency to deliver the file.")
    try:
        with path.open("rb"):
            pass
    except PermissionError:
        raise SourceError(f"{label}: the source file cannot be read (permission denied).",
                          hint="Give the pipeline's user read access to the file.") from None
    return RawFile(path, source_uri(source))
