"""Connector for `source.type: api` — a JSON REST API, page by page.

``records`` is the dot path of the list of records in each answer ("data", "result.items";
empty: the answer is the list). ``pagination.style``:

- ``page``: ``?page=1&size=100``, ``page=2`` … until a page has fewer than ``size`` records;
- ``offset``: ``?offset=0&limit=100``, ``offset=100`` … until a short page;
- ``next``: follow the URL at the dot path ``next`` ("links.next"; relative URLs allowed)
  until it is missing or null.

Any answer that is not JSON (an HTML error page with status 200, a truncated body) or lacks
the records list stops the pull with the page number and the URL (without credentials):
terminal, nothing is published. 5xx, 408, 429, timeouts and connection failures are
transient (SourceUnavailable: the run is retried); other 4xx are terminal. Records of all
pages go to validation together, so a primary key repeated across pages is reported there.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from dulieumo.errors import SourceError, SourceUnavailable

from .env import expand, expand_headers
from .http import TRANSIENT_4XX, _split_credentials, safe_url
from .table import PullContext, Records

if TYPE_CHECKING:
    from dulieumo.catalog import ApiSource


def dig(value: Any, path: str) -> Any:
    """``value`` at the dot path ``path`` ("" = value itself); KeyError when absent."""
    for part in [p for p in path.split(".") if p]:
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(part)
    return value


def with_params(url: str, params: Mapping[str, Any]) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items()]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment))


def get_json(
    client: httpx.Client, url: str, where: str, headers: Mapping[str, str], timeout_s: float
) -> tuple[Any, bytes]:
    """GET ``url`` and parse JSON; errors name ``where`` ("…, page 3 (<url>)")."""
    bare, auth = _split_credentials(url)
    try:
        resp = client.get(
            bare,
            auth=auth if auth is not None else httpx.USE_CLIENT_DEFAULT,
            headers=dict(headers),
            timeout=timeout_s,
        )
    except httpx.TimeoutException:
        raise SourceUnavailable(
            f"{where}: no answer within {timeout_s:g} s (timeout).",
            hint="The run is retried; raise `source.timeout_s` if the API is slow.",
        ) from None
    except httpx.TransportError as exc:
        raise SourceUnavailable(
            f"{where}: the connection failed ({type(exc).__name__}).",
            hint="Check that the agency's API is up; the run is retried.",
        ) from None
    status = resp.status_code
    if status >= 500 or status in TRANSIENT_4XX:
        raise SourceUnavailable(
            f"{where}: the API answered HTTP {status}.",
            hint="Usually temporary; the run is retried. If it persists, "
            "contact the agency's IT staff.",
        )
    if status >= 400:
        said: Any = ""
        try:
            error = json.loads(resp.content).get("error")
            said = error.get("message") if isinstance(error, dict) else error
        except (ValueError, AttributeError, UnicodeDecodeError):
            pass
        said = f" ({' '.join(str(said).split())[:200]})" if said else ""
        raise SourceError(
            f"{where}: the API answered HTTP {status}{said}.",
            hint="Check `source.url`, the parameters and `source.headers` "
            "(credentials) in the dataset spec.",
        )
    body = resp.content
    try:
        return json.loads(body), body
    except (ValueError, UnicodeDecodeError) as exc:
        start = body[:60].decode("utf-8", "replace").strip().replace("\n", " ")
        kind = resp.headers.get("content-type", "unknown type")
        why = (
            f"at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            if isinstance(exc, json.JSONDecodeError)
            else "not UTF-8"
        )
        raise SourceError(
            f"{where}: the answer is not valid JSON ({kind}, {why}; it starts {start!r}). "
            "Nothing was published.",
            hint="An error page or a cut-off answer: check the API with the agency, then "
            "run again.",
        ) from None


def fetch_api(source: ApiSource, ctx: PullContext) -> Records:
    url = expand(source.url, spec_file=ctx.spec_file, field="source.url")
    headers = {
        "Accept": "application/json",
        **expand_headers(source.headers, spec_file=ctx.spec_file),
    }
    records = Records(safe_url(url), iter(()))

    def pages() -> Iterator[tuple[str, dict[str, Any]]]:
        p = source.pagination
        with httpx.Client(follow_redirects=True) as client:
            number, next_url = 1, url
            seen: set[str] = set()
            while True:
                if p is None or p.style == "next":
                    page_url = next_url
                elif p.style == "page":
                    params: dict[str, Any] = {p.page_param: p.first_page + number - 1}
                    if p.size_param:
                        params[p.size_param] = p.size
                    page_url = with_params(url, params)
                else:
                    page_url = with_params(
                        url, {p.offset_param: (number - 1) * p.size, p.limit_param: p.size}
                    )
                where = f"{ctx.label}, page {number} ({safe_url(page_url)})"
                answer, body = get_json(client, page_url, where, headers, source.timeout_s)
                records.digest.update(body)
                try:
                    items = dig(answer, source.records)
                except KeyError:
                    keys = ", ".join(answer) if isinstance(answer, dict) else type(answer).__name__
                    raise SourceError(
                        f"{where}: the answer has no '{source.records}' (found: {keys}).",
                        hint="Set `source.records` to the dot path of the list of records "
                        '(e.g. "data" or "result.records").',
                    ) from None
                if not isinstance(items, list):
                    raise SourceError(
                        f"{where}: '{source.records or '(the answer)'}' is a "
                        f"{type(items).__name__}, not a list of records.",
                        hint="Set `source.records` to the list's dot path.",
                    )
                for i, item in enumerate(items, start=1):
                    if not isinstance(item, dict):
                        raise SourceError(
                            f"{where}: record {i} is a {type(item).__name__}, not an object.",
                            hint="Point `source.records` at a list of objects.",
                        )
                    yield f"page {number}, record {i}", item
                if p is None:
                    return
                if p.style == "next":
                    try:
                        link = dig(answer, p.next)
                    except KeyError:
                        link = None
                    if not link:
                        return
                    if not isinstance(link, str):
                        raise SourceError(
                            f"{where}: '{p.next}' is not a URL ({link!r}).",
                            hint="Fix `source.pagination.next`.",
                        )
                    next_url = urljoin(page_url, link)
                    if next_url in seen:
                        raise SourceError(
                            f"{where}: the next link points back to a page "
                            "already read (a paging loop).",
                            hint="Report it to the agency's IT staff.",
                        )
                    seen.add(next_url)
                elif len(items) < p.size:
                    return
                number += 1
                if number > p.max_pages:
                    raise SourceError(
                        f"{ctx.label}: more than {p.max_pages} pages.",
                        hint="Raise `source.pagination.max_pages`, or check that "
                        "the API honours the paging parameters.",
                    )

    records.rows = pages()
    return records
