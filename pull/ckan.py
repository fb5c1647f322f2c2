"""Connector for `source.type: ckan` — harvest another CKAN portal's table or file.

``datastore: true`` reads the resource's DataStore table through the Action API
(``datastore_search``, ``page_size`` rows per request, ordered by ``_id``), keeping the
table's column order and dropping CKAN's own ``_id``; ``datastore: false`` asks
``resource_show`` for the file's URL and downloads it like an HTTP source (conditional GET,
cache), read as CSV or .xlsx from the resource's format. ``headers`` (e.g. an API token for
private data) are sent to the portal only, never to another host a resource URL points to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from dulieumo.errors import SourceError

from .api import get_json, with_params
from .env import expand, expand_headers
from .http import fetch_url, safe_url
from .table import PullContext, RawFile, Records, started

if TYPE_CHECKING:
    from dulieumo.catalog import CkanSource

CKAN_COLUMNS = {"_id", "_full_text"}


def _action(base: str, name: str) -> str:
    return f"{base.rstrip('/')}/api/3/action/{name}"


def _result(answer: Any, where: str) -> Any:
    if not isinstance(answer, dict) or "result" not in answer:
        raise SourceError(
            f"{where}: the answer is not a CKAN Action API answer.",
            hint="Check `source.url`: it is the portal's address, e.g. https://data.example.gov.vn",
        )
    if answer.get("success") is False:
        raise SourceError(
            f"{where}: the portal refused: {answer.get('error')}",
            hint="Check `source.resource_id` and the token in `source.headers`.",
        )
    return answer["result"]


def fetch_ckan(source: CkanSource, ctx: PullContext) -> RawFile | Records:
    base = expand(source.url, spec_file=ctx.spec_file, field="source.url").rstrip("/")
    headers = expand_headers(source.headers, spec_file=ctx.spec_file)
    if not source.datastore:
        return _download(source, ctx, base, headers)
    records = Records(f"{safe_url(base)} resource {source.resource_id}", iter(()))

    def rows() -> Iterator[tuple[str, dict[str, Any]]]:
        size = source.page_size
        with httpx.Client(follow_redirects=True) as client:
            page, offset, total = 1, 0, None
            while True:
                url = with_params(
                    _action(base, "datastore_search"),
                    {
                        "resource_id": source.resource_id,
                        "limit": size,
                        "offset": offset,
                        "sort": "_id",
                    },
                )
                where = f"{ctx.label}, page {page} ({safe_url(url)})"
                answer, body = get_json(client, url, where, headers, source.timeout_s)
                records.digest.update(body)
                result = _result(answer, where)
                if records.columns is None:
                    records.columns = [
                        f["id"] for f in result.get("fields", []) if f.get("id") not in CKAN_COLUMNS
                    ]
                    total = result.get("total")
                batch = result.get("records", [])
                for i, record in enumerate(batch, start=1):
                    yield (
                        f"page {page}, record {i}",
                        {k: v for k, v in record.items() if k not in CKAN_COLUMNS},
                    )
                offset += len(batch)
                if not batch or len(batch) < size or (total is not None and offset >= total):
                    return
                page += 1

    records.rows = started(rows())  # the first page/query gives the columns
    return records


def _download(source: CkanSource, ctx: PullContext, base: str, headers: dict[str, str]) -> RawFile:
    url = with_params(_action(base, "resource_show"), {"id": source.resource_id})
    where = f"{ctx.label} (resource_show)"
    with httpx.Client(follow_redirects=True) as client:
        answer, _ = get_json(client, url, where, headers, source.timeout_s)
    resource = _result(answer, where)
    file_url = str(resource.get("url") or "")
    if not file_url.startswith(("http://", "https://")):
        raise SourceError(
            f"{where}: the resource has no downloadable URL ({file_url!r}).",
            hint="Use `datastore: true` if the data is in the DataStore.",
        )
    same_host = urlsplit(file_url).netloc == urlsplit(base).netloc
    dest = ctx.workdir / "source.raw"
    sha, not_modified = fetch_url(
        file_url,
        dest,
        source.timeout_s,
        f"{ctx.label}, file {safe_url(file_url)}",
        headers if same_host else {},
    )
    fmt = str(resource.get("format") or "").strip().lower()
    name = urlsplit(file_url).path.rsplit("/", 1)[-1]
    return RawFile(
        dest,
        safe_url(file_url),
        sha,
        name=name,
        format=fmt if fmt in ("csv", "xlsx") else None,
        not_modified=not_modified,
    )
