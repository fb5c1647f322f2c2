"""The normalised table a pull hands on: the value validate and publish receive.

It lives in the core because three stages exchange it; pull produces it (``pull_source``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PulledTable:
    path: Path  # normalised CSV: UTF-8 without BOM, NFC, "\n" line endings
    raw_sha256: str  # sha256 of the bytes as fetched (provenance)
    sha256: str  # sha256 of the normalised file
    size: int  # bytes of the normalised file
    source_uri: str  # file path relative to the catalogue root, or URL (without credentials)
    fetched_at: str  # UTC ISO-8601
    encoding: str  # detected or declared encoding of the raw bytes ("utf-8" for records)
    not_modified: bool = False  # HTTP 304: the source was not downloaded again
