"""Security headers on the portal's responses (issue 12, finding 10).

Files served from the portal's own origin — a release's ``validation-report-v*.html``, any
uploaded HTML or SVG — must never run script there: an escaping slip in a report would
otherwise be stored XSS on the portal (its cookies, its API with the visitor's rights).

- every response: ``X-Content-Type-Options: nosniff`` (a browser never guesses HTML from a
  CSV or JSON body);
- resource downloads (``/<type>/<id>/resource/<rid>/download[/<file>]``) and uploads
  (``/uploads/...``): a strict ``Content-Security-Policy`` with ``sandbox`` — styles inline and
  data: images only (what the Vietnamese report uses), no script, no form, no frame, no
  connection; the page opens in a unique origin.
"""

from __future__ import annotations

import re
from collections.abc import MutableMapping
from typing import Any

#: the policy of a file served from the portal: the report's inline CSS, nothing active
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
#: a resource's file download, with or without the file name (CKAN 2.12 routes), and uploads
FILE_PATH = re.compile(r"/resource/[^/]+/download(?:/|$)|^(?:/[a-z]{2}(?:_[A-Z]{2})?)?/uploads/")


def is_served_file(path: str) -> bool:
    """Whether `path` serves a stored file (a resource download or an upload)."""
    return bool(FILE_PATH.search(path))


def security_headers(path: str) -> dict[str, str]:
    """The headers every response to `path` gets."""
    out = {"X-Content-Type-Options": "nosniff"}
    if is_served_file(path):
        out["Content-Security-Policy"] = FILE_POLICY
        out["X-Frame-Options"] = "DENY"
        out["Referrer-Policy"] = "no-referrer"
    return out


def apply(path: str, headers: MutableMapping[str, str]) -> None:
    """Set the security headers of `path` on a response's `headers` (overriding any)."""
    for name, value in security_headers(path).items():
        headers[name] = value


def install(app: Any) -> Any:
    """Register the headers on the Flask app (IMiddleware.make_middleware); returns it."""
    from flask import request

    def add_headers(response: Any) -> Any:
        apply(request.path, response.headers)
        return response

    app.after_request(add_headers)
    return app
