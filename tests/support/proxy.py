"""A forwarding step for the tests' fault-injecting HTTP proxies in front of the portal."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler

import requests


def send_upstream(
    handler: BaseHTTPRequestHandler, target: str, body: bytes | None
) -> requests.Response:
    """The handler's request, sent on to `target` (the real portal) as it came."""
    return requests.request(
        handler.command,
        target + handler.path,
        data=body,
        # requests sets Content-Length itself (a test may have rewritten the body)
        headers={
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "content-length")
        },
        timeout=120,
        allow_redirects=False,
    )


def forward(handler: BaseHTTPRequestHandler, target: str, body: bytes | None) -> None:
    """Send the request on to `target` and relay its answer to the client."""
    relay(handler, send_upstream(handler, target, body))


def relay(handler: BaseHTTPRequestHandler, resp: requests.Response) -> None:
    """The upstream answer, passed back to the handler's client."""
    handler.send_response(resp.status_code)
    for key, value in resp.headers.items():
        if key.lower() not in (
            "transfer-encoding",
            "content-encoding",
            "connection",
            "content-length",
        ):
            handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(resp.content)))
    handler.end_headers()
    handler.wfile.write(resp.content)
