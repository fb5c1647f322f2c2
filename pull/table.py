"""What a pull produces, and the one small interface every connector implements.

A connector brings a source to local disk or streams its records:

- ``RawFile`` — the agency's bytes, untouched (file, http, a CKAN resource download): a CSV
  is decoded by ``pull/decode.py``, an .xlsx read by ``pull/excel.py``;
- ``Records`` — rows of values (api, sql, a CKAN DataStore table), streamed while the raw
  answers are hashed.

Either way ``pull_source`` writes the same normalised CSV (``pull/output.py``): UTF-8 NFC,
LF, comma-separated, the header = the schema's field names once ``conventions`` are applied.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from dulieumo.tables import PulledTable

__all__ = ["Connector", "PullContext", "PulledTable", "RawFile", "Records"]


@dataclass(frozen=True)
class RawFile:
    """The agency's bytes, untouched, on local disk."""

    path: Path
    uri: str  # what provenance and messages show: never credentials
    raw_sha256: str | None = None  # computed while downloading, when the connector can
    name: str = ""  # the file name the source gave (for the format: .csv / .xlsx)
    format: str | None = None  # what the source says the format is (a CKAN resource's)
    not_modified: bool = False  # HTTP 304: the cached bytes of the last download were used


@dataclass
class Records:
    """Rows streamed from an API, a database or a DataStore.

    ``rows`` yields (where, record): ``where`` says where the record came from for messages
    ("page 3"), ``record`` maps column → value (str, int, float, Decimal, bool, date, None,
    nested lists/dicts). ``columns`` is the column order when the source knows it up front.
    The connector feeds every raw answer into ``digest`` as it arrives.
    """

    uri: str
    rows: Iterator[tuple[str, dict[str, Any]]]
    columns: list[str] | None = None
    digest: Any = field(default_factory=hashlib.sha256)

    def feed_json(self, value: Any) -> None:
        """For sources without raw bytes (SQL): hash a canonical JSON line per row."""
        self.digest.update(
            json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
            + b"\n"
        )


def started(stream: Iterator[tuple[str, dict[str, Any]]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The same records, with the first one already fetched: the query or first page runs
    now, so its errors and its columns are known before the records are read."""
    first = next(stream, None)
    return stream if first is None else itertools.chain([first], stream)


@dataclass(frozen=True)
class PullContext:
    """What a connector may need besides its `source:` block."""

    dataset: str
    spec_file: str  # for errors about the spec ("datasets/so-y-te/x.yaml")
    root: Path  # the catalogue root (relative file paths)
    workdir: Path  # this run's folder
    label: str  # "Dataset 'x', source <uri>": the start of every message


class Connector(Protocol):
    """Bring a source to local disk or stream its records. Raises SourceError (terminal),
    SourceUnavailable (transient) or SpecError (an unset environment variable)."""

    def __call__(self, source: Any, ctx: PullContext) -> RawFile | Records: ...
