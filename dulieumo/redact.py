"""Credentials out of everything the pipeline writes: one masking for the whole product.

A source URL may carry a literal secret (``https://user:pass@host/``,
``?access_token=...``, ``&api_key=...``); an error message may quote a header
(``Authorization: Bearer ...``). Reports (JSON, HTML), Prefect artifacts, run history,
notifications, quarantine metadata and error messages pass through `mask_text` /
`mask_data`; provenance (``datapackage.json``, pull logs) through `mask_url`.

The secret is replaced by ``***``; the rest (scheme, host, path, parameter names) is kept
so that the officer still sees which source and which parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

#: a query parameter or setting whose value is a secret (``token``, ``api_key``, ``password``…)
SECRET_NAME = re.compile(
    r"(token|key|secret|pass|password|passwd|pwd|sig|signature|auth|credential)", re.IGNORECASE
)

# user:password@ after a scheme (kept: the user name)
_USERINFO = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^\s/@:\"'<>]*):(?P<pw>[^\s/@\"'<>]+)@"
)
# name=value where the name looks secret (query strings, env-like text); the value ends at
# &, whitespace, quotes, <, > or # — so HTML-escaped query strings (&amp;) are handled too
_PARAM = re.compile(
    r"\b(?P<name>(?:[\w.\-]*[_.\-])?(?:access|api|auth|private|client|refresh|session)?"
    r"(?:token|key|secret|password|passwd|pwd|pass|sig|signature|auth|credentials?))"
    r"(?P<eq>=|%3D)(?P<value>[^&\s#\"'<>,;)]+)",
    re.IGNORECASE,
)
# Authorization-like headers as text: ``Authorization: Bearer abc``, ``"X-Api-Key": "abc"``;
# not a spec's field path (``source.headers.Authorization: the variable … is not set``)
_HEADER = re.compile(
    r"(?P<name>(?<!\.)\b(?:authorization|proxy-authorization|x-api-key|api-key|x-auth-token|"
    r"private-token|cookie)\b[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<scheme>(?:bearer|basic|token|digest)\s+)?(?P<value>[^\s\"',}]+)",
    re.IGNORECASE,
)


def mask_url(url: str) -> str:
    """The URL without credentials, for messages, logs and provenance: no user:password, no
    fragment, and the value of every secret-looking query parameter is ``***``."""
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
        query = urlencode([(k, MASK if SECRET_NAME.search(k) else v) for k, v in pairs], safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, ""))


def mask_text(text: str) -> str:
    """`text` with every credential it quotes masked: user:password@ in URLs, secret-looking
    ``name=value`` pairs (``access_token=``, ``api_key=``, ``password=``…) and
    Authorization-like headers. Text without any is returned unchanged."""
    if not text or not isinstance(text, str):
        return text
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@", text)
    text = _PARAM.sub(lambda m: f"{m['name']}{m['eq']}{MASK}", text)
    return _HEADER.sub(lambda m: f"{m['name']}{m['scheme'] or ''}{MASK}", text)


T = TypeVar("T")


def mask_data(value: T) -> T:
    """A copy of a JSON-like value (dicts, lists, strings) with `mask_text` applied to every
    string, and the whole value of every key named like a secret (``password``, ``token``)."""
    result: T = _mask(value)
    return result


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            secret_key = isinstance(k, str) and _secret_key(k) and isinstance(v, str) and v
            out[k] = MASK if secret_key else _mask(v)
        return out
    if isinstance(value, list | tuple):
        return type(value)(_mask(v) for v in value)
    return value


def _secret_key(key: str) -> bool:
    """A key holding a secret itself (``password``, ``api_key``, ``token``), not a key that
    merely mentions one (``token_count``, ``keys``): the whole name must be secret-like."""
    return bool(_SECRET_KEY.fullmatch(key))


_SECRET_KEY = re.compile(
    r"(?i)(x[-_])?(access[-_]|auth[-_]|private[-_]|refresh[-_]|api[-_]?)?"
    r"(token|secret|password|passwd|pwd|authorization|credentials?)|(x[-_])?api[-_]?key"
)
