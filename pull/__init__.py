"""Pull: bytes from an agency's source → a normalised UTF-8 NFC CSV with provenance."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from .decode import normalise, sha256_file
from .http import fetch_http, safe_url
from .local import fetch_file
from .table import PulledTable

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec

__all__ = ["PulledTable", "pull_source"]


def pull_source(spec: DatasetSpec, *, root: Path, workdir: Path) -> PulledTable:
    """Fetch the dataset's source and normalise it into `workdir`."""
    source = spec.source
    workdir.mkdir(parents=True, exist_ok=True)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    if source.type == "file":
        uri = source.path.as_posix()
        label = f"Dataset '{spec.name}', source {uri}"
        raw = fetch_file(root / source.path, label)
    else:
        uri = safe_url(source.url)
        label = f"Dataset '{spec.name}', source {uri}"
        raw = fetch_http(source.url, workdir / "source.raw", source.timeout_s, spec.name)
    out = workdir / f"{spec.name}.csv"
    encoding, sha = normalise(raw, out, source.encoding, label)
    return PulledTable(out, sha256_file(raw), sha, out.stat().st_size, uri, fetched_at,
                       encoding)
