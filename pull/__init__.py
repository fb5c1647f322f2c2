"""Pull: an agency's source → a normalised UTF-8 NFC CSV with provenance.

One connector per `source.type`, all behind ``Connector`` (``pull/table.py``):
``file`` (pull/local.py), ``http`` (pull/http.py, conditional GET with a cache), ``api``
(pull/api.py, JSON with paging), ``sql`` (pull/sql.py, SQLAlchemy), ``ckan``
(pull/ckan.py, another portal's DataStore table or resource). A file is then decoded
(pull/decode.py: encodings, TCVN3, NFC) or read as a workbook (pull/excel.py), and every
source ends in the same CSV written by pull/output.py, where the agency's ``conventions``
(column names, dd/mm/yyyy dates, 1.234,5 numbers, x/có/không booleans, null markers) are
applied before validation.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from dulieumo.catalog.sources import header_key
from dulieumo.columns import too_many_columns
from dulieumo.errors import DulieumoError, SourceError

from .api import fetch_api
from .ckan import fetch_ckan
from .csvrows import CsvRecords
from .decode import Decoded, normalise, sha256_file
from .excel import read_xlsx
from .http import fetch_http, safe_url
from .local import fetch_file
from .output import Field, Header, resolve_header, schema_fields, write_table
from .sql import fetch_sql, safe_db_url
from .table import Connector, PullContext, PulledTable, RawFile, Records
from .totals import TotalRows

if TYPE_CHECKING:
    from dulieumo.catalog import Conventions, DatasetSpec
    from dulieumo.catalog.sources import TabularSource

__all__ = [
    "CONNECTORS",
    "Connector",
    "Decoded",
    "Fetched",
    "PullContext",
    "PulledTable",
    "RawFile",
    "Records",
    "fetch_source",
    "finish_pull",
    "normalise",
    "pull_source",
    "safe_url",
    "source_uri",
]

CONNECTORS: dict[str, Connector] = {
    "file": fetch_file,
    "http": fetch_http,
    "api": fetch_api,
    "sql": fetch_sql,
    "ckan": fetch_ckan,
}


def source_uri(source: Any) -> str:
    """Where the data comes from, as messages and provenance show it (no secrets; any
    ``${VAR}`` left as written)."""
    if source.type == "file":
        return str(source.path.as_posix())
    if source.type == "sql":
        return safe_db_url(source.url)
    if source.type == "ckan":
        return f"{safe_url(source.url)} resource {source.resource_id}"
    return safe_url(source.url)


@dataclass
class Fetched:
    """The agency's data fetched but not yet read: the bytes on disk (or the records'
    stream), and what finishing the pull needs."""

    spec: DatasetSpec
    raw: RawFile | Records
    out: Path
    root: Path
    label: str
    fetched_at: str
    _raw_sha256: str | None = None

    @property
    def raw_sha256(self) -> str | None:
        """The sha256 of the bytes as fetched, before any parsing; None for records (an API
        or a database: their digest is known only once every row was read)."""
        if isinstance(self.raw, Records):
            return None
        if self._raw_sha256 is None:
            self._raw_sha256 = self.raw.raw_sha256 or sha256_file(self.raw.path)
        return self._raw_sha256


def fetch_source(spec: DatasetSpec, *, root: Path, workdir: Path) -> Fetched:
    """Fetch the dataset's source (nothing parsed yet); `finish_pull` normalises it."""
    source = spec.source
    connector = CONNECTORS.get(source.type)
    if connector is None:
        raise SourceError(
            f"Dataset '{spec.name}': no connector for source type '{source.type}'.",
            hint=f"Use one of: {', '.join(CONNECTORS)}.",
            dataset=spec.name,
        )
    workdir.mkdir(parents=True, exist_ok=True)
    fetched_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    label = f"Dataset '{spec.name}', source {source_uri(source)}"
    spec_file = (
        spec.spec_path.as_posix() if spec.spec_path != Path() else f"the spec of '{spec.name}'"
    )
    ctx = PullContext(spec.name, spec_file, root, workdir, label)
    out = workdir / f"{spec.name}.csv"
    try:
        raw = connector(source, ctx)
    except DulieumoError as exc:
        exc.dataset = exc.dataset or spec.name
        raise
    return Fetched(spec, raw, out, root, label, fetched_at)


def finish_pull(fetched: Fetched) -> PulledTable:
    """Normalise what `fetch_source` fetched into ``workdir/<name>.csv``."""
    spec, out = fetched.spec, fetched.out
    try:
        return _pull(spec, fetched.raw, out, fetched.root, fetched.label, fetched.fetched_at)
    except DulieumoError as exc:  # its message starts with the label, naming the dataset
        out.unlink(missing_ok=True)  # never leave a half-normalised table to validate
        exc.dataset = exc.dataset or spec.name
        raise
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def pull_source(spec: DatasetSpec, *, root: Path, workdir: Path) -> PulledTable:
    """Fetch the dataset's source and normalise it into ``workdir/<name>.csv``."""
    return finish_pull(fetch_source(spec, root=root, workdir=workdir))


def _pull(
    spec: DatasetSpec,
    fetched: RawFile | Records,
    out: Path,
    root: Path,
    label: str,
    fetched_at: str,
) -> PulledTable:
    source = spec.source
    fields = schema_fields(root / spec.schema_path)
    if isinstance(fetched, Records):
        return _from_records(fetched, out, fields, spec.conventions, label, fetched_at)
    tab = cast("TabularSource", source)  # only file-like sources return a RawFile
    fmt: str
    if tab.format is not None:
        fmt = tab.format
    elif fetched.format in ("csv", "xlsx"):
        fmt = fetched.format  # what the other portal says
    else:
        fmt = tab.file_format(fetched.name or fetched.uri)
    if fmt == "xlsx":
        raw_sha = fetched.raw_sha256 or sha256_file(fetched.path)
        sheet = read_xlsx(fetched.path, tab.excel, fields, spec.conventions, label)
        try:
            header = resolve_header(sheet.labels, fields, spec.conventions, sheet.where)
            written = write_table(
                out,
                header,
                sheet.rows,
                fields,
                spec.conventions,
                totals=_totals(tab),
                sheet=sheet.name,
            )
        finally:
            sheet.close()
        written.notes.write(out)
        if written.rows == 0:
            raise SourceError(
                f"{sheet.where}: the table has a header but no data rows.",
                hint="Check `source.excel.first_data_row`, or ask the agency "
                "for the filled-in workbook; nothing was published.",
            )
        return PulledTable(
            out,
            raw_sha,
            written.sha256,
            written.size,
            fetched.uri,
            fetched_at,
            "xlsx",
            fetched.not_modified,
        )
    wide = too_many_columns(fetched.path, len(fields), tab.delimiter)
    if wide:  # refused before any reader builds columns for it
        raise SourceError(
            f"{label}: the header row has {wide[0]:,} columns; the schema has {len(fields)} "
            f"fields, so at most {wide[1]:,} columns are accepted.",
            hint="The file is broken or not this dataset's export: ask the agency for it again.",
        )
    decoded = normalise(fetched.path, out, tab.encoding, label, delimiter=tab.delimiter)
    if fetched.raw_sha256 is not None and fetched.raw_sha256 != decoded.raw_sha256:
        raise SourceError(
            f"{label}: the downloaded file changed on disk while being read.",
            hint="Run again; make sure nothing else writes into the run folder.",
        )
    written = _rewrite_csv(out, tab.delimiter, fields, spec.conventions, label, _totals(tab))
    written.notes.write(out)
    sha, size = written.sha256, written.size
    return PulledTable(
        out,
        decoded.raw_sha256,
        sha,
        size,
        fetched.uri,
        fetched_at,
        decoded.encoding,
        fetched.not_modified,
    )


def _totals(tab: TabularSource) -> TotalRows:
    markers, check, last = tab.total_rules()
    return TotalRows(markers, check, last)


def _rewrite_csv(
    out: Path,
    delimiter: str,
    fields: list[Field],
    conventions: Conventions | None,
    label: str,
    totals: TotalRows,
) -> Any:
    import csv

    with out.open(encoding="utf-8", newline="") as fh:
        reader = CsvRecords(fh, delimiter)
        labels = reader.header()
        if labels is None:
            raise SourceError(
                f"{label}: the file is empty.",
                hint="Ask the agency for the export again; nothing was published.",
            )
        header = resolve_header(labels, fields, conventions, f"{label}, header row")
        staged = out.with_name(out.name + ".conv")
        try:
            written = write_table(
                staged, header, reader, fields, conventions, totals=totals, source=reader
            )
        except csv.Error as exc:
            raise SourceError(
                f"{label}: row {reader.line_num}: the CSV is malformed ({exc}).",
                hint="Ask the agency for a clean export.",
            ) from None
    staged.replace(out)
    return written


def _record_labels(
    first: dict[str, Any], fields: list[Field], conventions: Conventions | None
) -> list[str]:
    """Agency keys in the schema's field order, then the other keys of the first record."""
    if not fields:
        return list(first)
    reverse = {v: k for k, v in (conventions.columns if conventions else {}).items() if v}
    keys_by_norm = {header_key(k): k for k in first}
    labels: list[str] = []
    for f in fields:
        agency = reverse.get(f.name, f.name)
        labels.append(keys_by_norm.get(header_key(agency), agency))
    return labels + [k for k in first if k not in labels]


def _from_records(
    records: Records,
    out: Path,
    fields: list[Field],
    conventions: Conventions | None,
    label: str,
    fetched_at: str,
) -> PulledTable:
    stream = iter(records.rows)
    first = next(stream, None)
    if first is None:
        raise SourceError(
            f"{label}: the source returned no records.",
            hint="Check the query, the records path or the filter in the spec, "
            "or ask the agency why the data is empty; nothing was published.",
        )
    labels = records.columns or _record_labels(first[1], fields, conventions)
    header = resolve_header(labels, fields, conventions, f"{label} ({first[0]})")
    dropped = {k for k, v in (conventions.columns if conventions else {}).items() if v is None}
    known = set(labels) | dropped

    def rows() -> Iterator[list[Any]]:
        for where, record in itertools.chain([first], stream):
            extra = [k for k in record if k not in known]
            if extra:
                raise SourceError(
                    f"{label} ({where}): a record has the key '{extra[0]}', which the first "
                    f"record and the schema do not have (keys: {', '.join(labels)}).",
                    hint="Map or drop it under `conventions.columns`, or add the field to the "
                    "schema.",
                )
            yield [record.get(k) for k in labels]

    written = write_table(
        out, Header(header.names, header.keep, header.width), rows(), fields, conventions
    )
    written.notes.write(out)
    return PulledTable(
        out,
        records.digest.hexdigest(),
        written.sha256,
        written.size,
        records.uri,
        fetched_at,
        "utf-8",
    )
