"""Connector for `source.type: http` — a CSV or .xlsx behind an HTTP(S) URL, streamed to disk.

Conditional requests: the ETag / Last-Modified of the last full download and its raw bytes
are kept under the work root (``<work root>/cache/http/<sha256 of the URL>/``); the next
pull sends If-None-Match / If-Modified-Since, and a 304 answer reuses the cached bytes — an
unchanged source is not downloaded again.

HTTP 5xx, 408, 429, timeouts and connection failures are transient (SourceUnavailable: the
run retries); other 4xx answers are terminal (SourceError). The URL is shown and recorded
without its credentials: user:password and secret-looking query parameters are redacted.
``${VAR}`` in the url and headers are expanded from the environment (pull/env.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from dulieumo.errors import SourceError, SourceUnavailable
from dulieumo.paths import work_root
from dulieumo.redact import mask_url

from .env import expand, expand_headers
from .table import PullContext, RawFile

if TYPE_CHECKING:
    from dulieumo.catalog import HttpSource

CHUNK = 1 << 20
TRANSIENT_4XX = {408, 425, 429}


def safe_url(url: str) -> str:
    """The URL without credentials, for messages, logs and provenance (dulieumo.redact)."""
    return mask_url(url)


class _RedactUrls(logging.Filter):
    """httpx logs every request URL at INFO level: show it without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                safe_url(str(a)) if isinstance(a, httpx.URL) else a for a in record.args
            )
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactUrls) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactUrls())


def _split_credentials(url: str) -> tuple[str, httpx.BasicAuth | None]:
    """user:password in the URL become an explicit Basic auth, off the URL httpx logs."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url, None
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if parts.port:
        host += f":{parts.port}"
    bare = urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))
    return bare, httpx.BasicAuth(unquote(parts.username or ""), unquote(parts.password or ""))


def source_uri(source: HttpSource) -> str:
    return safe_url(source.url)


@dataclass(frozen=True)
class Downloaded:
    status: int  # 200, or 304 (not modified: nothing written to dest)
    sha256: str | None
    etag: str | None = None
    last_modified: str | None = None


def download(
    url: str, dest: Path, timeout_s: float, label: str, *, headers: Mapping[str, str] | None = None
) -> Downloaded:
    """Stream ``url`` into ``dest``; the sha256 of the bytes received (None on a 304)."""
    digest = hashlib.sha256()
    tmp = dest.with_name(dest.name + ".part")
    bare, auth = _split_credentials(url)
    etag: str | None = None
    modified: str | None = None
    try:
        with httpx.stream(
            "GET",
            bare,
            auth=auth,
            timeout=timeout_s,
            headers=dict(headers or {}),
            follow_redirects=True,
        ) as resp:
            status = resp.status_code
            if status == 304:
                return Downloaded(
                    304, None, resp.headers.get("etag"), resp.headers.get("last-modified")
                )
            if status >= 500 or status in TRANSIENT_4XX:
                raise SourceUnavailable(
                    f"{label}: the agency's server answered HTTP {status}.",
                    hint="Usually temporary; the run is retried. If it persists, contact the "
                    "agency's IT staff.",
                )
            if status >= 400:
                hint = {
                    401: "The server wants credentials: check the account the agency gave.",
                    403: "The server refuses access: ask the agency to allow the portal's "
                    "account or address.",
                    404: "Check `source.url` in the dataset spec; the file may have moved.",
                }.get(status, "Check `source.url` in the dataset spec.")
                raise SourceError(
                    f"{label}: the agency's server answered HTTP {status}.", hint=hint
                )
            with tmp.open("wb") as fh:
                for chunk in resp.iter_bytes(CHUNK):
                    digest.update(chunk)
                    fh.write(chunk)
            etag, modified = resp.headers.get("etag"), resp.headers.get("last-modified")
        tmp.replace(dest)
    except httpx.TimeoutException:
        raise SourceUnavailable(
            f"{label}: no answer within {timeout_s:g} s (timeout).",
            hint="The run is retried; raise `source.timeout_s` in the spec if the server is slow.",
        ) from None
    except httpx.TransportError as exc:  # connect errors, resets, broken chunked bodies
        raise SourceUnavailable(
            f"{label}: the connection failed ({type(exc).__name__}).",
            hint="Check the address and that the agency's server is up; the run is retried.",
        ) from None
    except httpx.TooManyRedirects:
        raise SourceError(
            f"{label}: the server redirects in a loop.",
            hint="Check `source.url` in the dataset spec.",
        ) from None
    except httpx.DecodingError:
        raise SourceUnavailable(
            f"{label}: the server sent a corrupt (compressed) body.",
            hint="Usually temporary; the run is retried.",
        ) from None
    except httpx.InvalidURL:
        raise SourceError(
            f"{label}: the URL is not valid.", hint="Fix `source.url` in the dataset spec."
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return Downloaded(200, digest.hexdigest(), etag, modified)


class HttpCache:
    """The last full download of one URL: its bytes and validators, under the work root."""

    def __init__(self, url: str) -> None:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]
        self.dir = work_root() / "cache" / "http" / key
        self.body = self.dir / "body"
        self.meta_file = self.dir / "meta.json"

    def meta(self) -> dict[str, str]:
        try:
            data = json.loads(self.meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or not self.body.is_file():
            return {}
        return {k: str(v) for k, v in data.items() if v is not None}

    def validators(self) -> dict[str, str]:
        meta = self.meta()
        out = {}
        if meta.get("etag"):
            out["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            out["If-Modified-Since"] = meta["last_modified"]
        return out

    def store(self, fetched: Path, url: str, result: Downloaded) -> None:
        if not (result.etag or result.last_modified):
            return  # nothing to revalidate with next time
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.body.with_name("body.part")
        shutil.copyfile(fetched, tmp)
        tmp.replace(self.body)
        meta = {
            "url": safe_url(url),
            "etag": result.etag,
            "last_modified": result.last_modified,
            "sha256": result.sha256,
            "stored_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        }
        self.meta_file.write_text(json.dumps(meta, indent=1), encoding="utf-8")


def fetch_url(
    url: str, dest: Path, timeout_s: float, label: str, headers: Mapping[str, str]
) -> tuple[str, bool]:
    """Conditional GET of ``url`` into ``dest`` through the cache: (sha256, not_modified)."""
    cache = HttpCache(url)
    conditional = cache.validators()
    result = download(url, dest, timeout_s, label, headers={**headers, **conditional})
    if result.status == 304:
        meta = cache.meta()
        if not conditional or not meta:
            raise SourceUnavailable(
                f"{label}: the server answered 304 Not Modified to a request without validators.",
                hint="The run is retried; check the server if it persists.",
            )
        tmp = dest.with_name(dest.name + ".part")
        shutil.copyfile(cache.body, tmp)
        tmp.replace(dest)
        sha = hashlib.sha256()
        with dest.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                sha.update(chunk)
        return sha.hexdigest(), True
    cache.store(dest, url, result)
    assert result.sha256 is not None
    return result.sha256, False


def fetch_http(source: HttpSource, ctx: PullContext) -> RawFile:
    url = expand(source.url, spec_file=ctx.spec_file, field="source.url")
    headers = expand_headers(source.headers, spec_file=ctx.spec_file)
    dest = ctx.workdir / "source.raw"
    sha, not_modified = fetch_url(url, dest, source.timeout_s, ctx.label, headers)
    name = urlsplit(url).path.rsplit("/", 1)[-1]
    return RawFile(dest, safe_url(url), sha, name=name, not_modified=not_modified)
