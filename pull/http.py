"""Connector for `source.type: http` — a CSV behind an HTTP(S) URL, streamed to disk.

HTTP 5xx, 408, 429, timeouts and connection failures are transient (SourceUnavailable: the
run retries); other 4xx answers are terminal (SourceError). The URL is shown and recorded
without its credentials: user:password and secret-looking query parameters are redacted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import httpx

from dulieumo.errors import SourceError, SourceUnavailable

from .table import RawFile

if TYPE_CHECKING:
    from dulieumo.catalog import HttpSource

CHUNK = 1 << 20
TRANSIENT_4XX = {408, 425, 429}
SECRET_PARAM = re.compile(r"(token|key|secret|pass|password|pwd|sig|signature|auth|credential)",
                          re.IGNORECASE)


def safe_url(url: str) -> str:
    """The URL without credentials, for messages, logs and provenance."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
        host += ":<invalid port>"
    if port:
        host += f":{port}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, "***" if SECRET_PARAM.search(k) else v) for k, v in pairs],
                          safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


class _RedactUrls(logging.Filter):
    """httpx logs every request URL at INFO level: show it without credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(safe_url(str(a)) if isinstance(a, httpx.URL) else a
                                for a in record.args)
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


def download(url: str, dest: Path, timeout_s: float, label: str) -> str:
    """Stream ``url`` into ``dest``; return the sha256 of the bytes received."""
    digest = hashlib.sha256()
    tmp = dest.with_name(dest.name + ".part")
    bare, auth = _split_credentials(url)
    try:
        with httpx.stream("GET", bare, auth=auth, timeout=timeout_s,
                          follow_redirects=True) as resp:
            status = resp.status_code
            if status >= 500 or status in TRANSIENT_4XX:
                raise SourceUnavailable(
                    f"{label}: the agency's server answered HTTP {status}.",
                    hint="Usually temporary; the run is retried. If it persists, contact the "
                    "agency's IT staff.")
            if status >= 400:
                hint = {
                    401: "The server wants credentials: check the account the agency gave.",
                    403: "The server refuses access: ask the agency to allow the portal's "
                    "account or address.",
                    404: "Check `source.url` in the dataset spec; the file may have moved.",
                }.get(status, "Check `source.url` in the dataset spec.")
                raise SourceError(f"{label}: the agency's server answered HTTP {status}.",
                                  hint=hint)
            with tmp.open("wb") as fh:
                for chunk in resp.iter_bytes(CHUNK):
                    digest.update(chunk)
                    fh.write(chunk)
        tmp.replace(dest)
    except httpx.TimeoutException:
        raise SourceUnavailable(
            f"{label}: no answer within {timeout_s:g} s (timeout).",
            hint="The run is retried; raise `source.timeout_s` in the spec if the server is "
            "slow.") from None
    except httpx.TransportError as exc:  # connect errors, resets, broken chunked bodies
        raise SourceUnavailable(
            f"{label}: the connection failed ({type(exc).__name__}).",
            hint="Check the address and that the agency's server is up; the run is "
            "retried.") from None
    except httpx.TooManyRedirects:
        raise SourceError(f"{label}: the server redirects in a loop.",
                          hint="Check `source.url` in the dataset spec.") from None
    except httpx.DecodingError:
        raise SourceUnavailable(f"{label}: the server sent a corrupt (compressed) body.",
                                hint="Usually temporary; the run is retried.") from None
    except httpx.InvalidURL:
        raise SourceError(f"{label}: the URL is not valid.",
                          hint="Fix `source.url` in the dataset spec.") from None
    finally:
        tmp.unlink(missing_ok=True)
    return digest.hexdigest()


def fetch_http(source: HttpSource, *, root: Path, workdir: Path, label: str) -> RawFile:
    dest = workdir / "source.raw"
    sha = download(source.url, dest, source.timeout_s, label)
    return RawFile(dest, source_uri(source), sha)
