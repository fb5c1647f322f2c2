"""Pull: bytes from an agency's source → a normalised UTF-8 NFC CSV with provenance.

One connector per `source.type` (``pull/local.py``, ``pull/http.py``), all behind
``Connector``: bring the raw bytes to local disk. ``pull/decode.py`` then turns them into
the normalised CSV every later stage reads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from dulieumo.errors import SourceError

from .decode import Decoded, normalise
from .http import fetch_http, safe_url
from .local import fetch_file
from .table import Connector, PulledTable, RawFile

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec

__all__ = ["CONNECTORS", "Connector", "Decoded", "PulledTable", "RawFile", "normalise",
           "pull_source", "safe_url"]

CONNECTORS: dict[str, Connector] = {"file": fetch_file, "http": fetch_http}


def pull_source(spec: DatasetSpec, *, root: Path, workdir: Path) -> PulledTable:
    """Fetch the dataset's source and normalise it into ``workdir/<name>.csv``."""
    source = spec.source
    connector = CONNECTORS.get(source.type)
    if connector is None:
        raise SourceError(f"Dataset '{spec.name}': no connector for source type "
                          f"'{source.type}'.", hint=f"Use one of: {', '.join(CONNECTORS)}.")
    workdir.mkdir(parents=True, exist_ok=True)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    uri = source.path.as_posix() if source.type == "file" else safe_url(source.url)
    label = f"Dataset '{spec.name}', source {uri}"
    raw = connector(source, root=root, workdir=workdir, label=label)
    out = workdir / f"{spec.name}.csv"
    decoded = normalise(raw.path, out, source.encoding, label)
    if raw.raw_sha256 is not None and raw.raw_sha256 != decoded.raw_sha256:
        raise SourceError(f"{label}: the downloaded file changed on disk while being read.",
                          hint="Run again; make sure nothing else writes into the run folder.")
    return PulledTable(out, decoded.raw_sha256, decoded.sha256, decoded.size, raw.uri,
                       fetched_at, decoded.encoding)
