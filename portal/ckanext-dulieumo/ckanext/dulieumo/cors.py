"""CORS for reading public data from another origin (issue 15, point 7).

A web page on another origin may read the portal's public data with GET (the Action API's
read calls, DataStore searches, resource downloads and the datastore dump). Only GET, HEAD
and OPTIONS get an ``Access-Control-Allow-Origin``; it is ``*`` by default, or the request's
origin when it is in the configured list (``ckanext.dulieumo.cors_origins``, space separated;
empty: no CORS). Credentials are never allowed: no ``Access-Control-Allow-Credentials`` and
no ``Authorization`` among the allowed headers, so a browser never sends a visitor's cookie or
token across origins and only what an anonymous caller may read is readable. CKAN's own CORS
settings (``ckan.cors.*``) stay off: they allow every method and the token header.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Content-Type"
MAX_AGE = "86400"
CORS_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Credentials",
    "Access-Control-Max-Age",
)


def parse_origins(value: str | None) -> tuple[str, ...]:
    """The configured origins: ``*``, or exact origins (``https://a.example``)."""
    return tuple(o.rstrip("/") for o in (value or "").split() if o)


def cors_headers(method: str, origin: str | None, allowed: tuple[str, ...]) -> dict[str, str]:
    """The CORS headers of a response to `method` from `origin` (none when not allowed)."""
    if not origin or method.upper() not in READ_METHODS or not allowed:
        return {}
    if "*" in allowed:
        value = "*"
    elif origin.rstrip("/") in allowed:
        value = origin
    else:
        return {}
    return {
        "Access-Control-Allow-Origin": value,
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": MAX_AGE,
    }


def apply(
    method: str, origin: str | None, allowed: tuple[str, ...], headers: MutableMapping[str, str]
) -> None:
    """Set the CORS headers on a response, removing any other CORS header (e.g. CKAN's)."""
    for name in CORS_HEADERS:
        if name in headers:
            del headers[name]
    found = cors_headers(method, origin, allowed)
    for name, value in found.items():
        headers[name] = value
    if allowed and "*" not in allowed:
        vary = headers.get("Vary", "")
        if "origin" not in vary.lower():
            headers["Vary"] = f"{vary}, Origin" if vary else "Origin"


def install(app: Any, allowed: tuple[str, ...]) -> Any:
    """Register the CORS headers on the Flask app (IMiddleware.make_middleware)."""
    from flask import request

    def add_cors(response: Any) -> Any:
        apply(request.method, request.headers.get("Origin"), allowed, response.headers)
        return response

    app.after_request(add_cors)
    return app
