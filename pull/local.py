"""Connector for `source.type: file` — a file on disk (a shared folder, an agency's drop)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dulieumo.catalog.sources import SOURCE_DIRS_ENV, source_path_problem
from dulieumo.errors import SourceError

from .table import PullContext, RawFile

if TYPE_CHECKING:
    from dulieumo.catalog import FileSource


def source_uri(source: FileSource) -> str:
    return source.path.as_posix()


def fetch_file(source: FileSource, ctx: PullContext) -> RawFile:
    """The file is read in place (no copy): the decoder streams it once."""
    label = ctx.label
    outside = source_path_problem(ctx.root, source.path)
    if outside:  # never read, never copied anywhere
        raise SourceError(
            f"{label}: source.path {outside}.",
            hint=f"Move the file under the catalogue, or add its folder to {SOURCE_DIRS_ENV}.",
        )
    path = source.path if source.path.is_absolute() else ctx.root / source.path
    if not path.is_file():
        what = "is a folder, not a file" if path.is_dir() else "not found"
        raise SourceError(
            f"{label}: source file {what} ({path}).",
            hint="Check `source.path` in the dataset spec (relative to the catalogue root), "
            "or ask the agency to deliver the file.",
        )
    try:
        with path.open("rb"):
            pass
    except PermissionError:
        raise SourceError(
            f"{label}: the source file cannot be read (permission denied).",
            hint="Give the pipeline's user read access to the file.",
        ) from None
    return RawFile(path, source_uri(source), name=path.name)
