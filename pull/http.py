"""An HTTP(S) URL to a CSV, streamed to disk. 5xx and timeouts are transient."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from dulieumo.errors import SourceError, SourceUnavailable


def safe_url(url: str) -> str:
    """The URL without credentials, for messages and provenance."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


def fetch_http(url: str, dest: Path, timeout_s: float, dataset: str = "") -> Path:
    shown = (f"Dataset '{dataset}', source " if dataset else "") + safe_url(url)
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=True) as resp:
            if resp.status_code >= 500:
                raise SourceUnavailable(
                    f"{shown}: the agency's server answered HTTP {resp.status_code}.",
                    hint="Usually temporary; the run retries. If it persists, contact the "
                    "agency's IT staff.")
            if resp.status_code >= 400:
                raise SourceError(
                    f"{shown}: the agency's server answered HTTP {resp.status_code}.",
                    hint="Check `source.url` in the spec; the file may have moved.")
            with dest.open("wb") as fh:
                for chunk in resp.iter_bytes():
                    fh.write(chunk)
    except httpx.TimeoutException:
        raise SourceUnavailable(f"{shown}: no answer within {timeout_s:g} s (timeout).",
                                hint="The run retries; raise `source.timeout_s` if the "
                                "server is slow.") from None
    except httpx.TransportError as exc:
        raise SourceUnavailable(f"{shown}: could not connect ({type(exc).__name__}).",
                                hint="Check the address and that the server is up.") from None
    return dest
