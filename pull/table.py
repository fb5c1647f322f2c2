"""What a pull produces, and the one small interface every connector implements."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class PulledTable:
    path: Path  # normalised CSV: UTF-8 without BOM, NFC, "\n" line endings
    raw_sha256: str  # sha256 of the bytes as fetched (provenance)
    sha256: str  # sha256 of the normalised file
    size: int  # bytes of the normalised file
    source_uri: str  # file path relative to the catalogue root, or URL (without credentials)
    fetched_at: str  # UTC ISO-8601
    encoding: str  # detected or declared encoding of the raw bytes


@dataclass(frozen=True)
class RawFile:
    """The agency's bytes, untouched, on local disk."""

    path: Path
    uri: str  # what provenance and messages show: never credentials
    raw_sha256: str | None = None  # computed while downloading, when the connector can


class Connector(Protocol):
    """Bring a source's raw bytes to local disk. Raises SourceError / SourceUnavailable."""

    def __call__(self, source: Any, *, root: Path, workdir: Path, label: str) -> RawFile: ...
