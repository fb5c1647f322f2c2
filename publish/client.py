"""A thin wrapper of ckanapi's RemoteCKAN that turns portal failures into our errors.

CKAN's own error details are kept (ValidationError's dict, NotFound); connection failures and
5xx answers are transient; permission and validation failures are terminal. The API token
never appears in a message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from ckanapi import CKANAPIError, NotAuthorized, NotFound, RemoteCKAN, ValidationError

from dulieumo import __version__
from dulieumo.config import PortalTarget
from dulieumo.errors import PortalError, PortalUnavailable

TIMEOUT_S = 120


class PortalClient:
    """Calls the CKAN Action API of one portal with one token."""

    def __init__(self, target: PortalTarget, ckan: Any | None = None) -> None:
        """`ckan`: what answers the actions (ckanapi's `call_action`); the portal at
        `target.url` by default (tests pass an in-memory portal)."""
        self.url = target.url
        self.token = target.token
        self._ckan = ckan or RemoteCKAN(
            target.url, apikey=target.token or None, user_agent=f"dulieumo/{__version__}"
        )

    def call(
        self,
        action: str,
        data: dict[str, Any] | None = None,
        files: dict[str, Any] | None = None,
        *,
        timeout: float = TIMEOUT_S,
    ) -> Any:
        try:
            return self._ckan.call_action(
                action, data or {}, files=files, requests_kwargs={"timeout": timeout}
            )
        except NotFound:
            raise
        except NotAuthorized as exc:
            raise PortalError(
                f"The portal refused `{action}`: the API token is invalid, expired, or has no "
                f"right to do this ({_short(exc)}).",
                hint="Use an editor token of the dataset's organisation (locally: "
                "`dulieumo portal token`), or ask a portal sysadmin for the permission.",
            ) from None
        except ValidationError as exc:
            raise PortalError(
                f"The portal rejected `{action}`: {_short(exc)}",
                hint="Fix the field named above in the dataset spec, then run again.",
            ) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise PortalUnavailable(
                f"The portal at {self.url} could not be reached ({type(exc).__name__}).",
                hint="Check that the portal runs (`dulieumo portal status`), then run again.",
            ) from None
        except CKANAPIError as exc:
            raise PortalUnavailable(
                f"The portal at {self.url} failed on `{action}`: {_short(exc)}",
                hint="This is usually temporary; run again. If it persists, read the portal log.",
            ) from None

    call_action = call  # duck-compatible with ckanapi.RemoteCKAN for shared helpers

    def local_url(self, url: str) -> str:
        """A portal URL (built from its site_url) as reachable through this client's address."""
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        if not parts.scheme:
            return self.url + url
        return self.url + parts.path + (f"?{parts.query}" if parts.query else "")

    def exists(self, action: str, ident: str) -> dict[str, Any] | None:
        try:
            result = self.call(action, {"id": ident})
        except NotFound:
            return None
        return result if isinstance(result, dict) else None

    def download(self, url: str, dest: Path) -> Path | None:
        """A portal file saved at `dest` (streamed); None when the portal answers 404."""
        headers = {"Authorization": self.token} if self.token else {}
        local = self.local_url(url)
        try:
            with requests.get(local, headers=headers, timeout=TIMEOUT_S, stream=True) as resp:
                if resp.status_code == 404:
                    return None
                if resp.status_code >= 500:
                    raise PortalUnavailable(f"The portal answered {resp.status_code} for {local}.")
                resp.raise_for_status()
                with dest.open("wb") as fh:
                    for chunk in resp.iter_content(1 << 20):
                        fh.write(chunk)
        except requests.ConnectionError:
            raise PortalUnavailable(f"The portal at {self.url} could not be reached.") from None
        return dest

    def upload(self, action: str, data: dict[str, Any], path: Path, filename: str) -> Any:
        with path.open("rb") as fh:
            return self.call(action, data, files={"upload": (filename, fh)})


def _short(exc: Exception, limit: int = 400) -> str:
    text = " ".join(str(a) for a in exc.args) if exc.args else type(exc).__name__
    return text if len(text) <= limit else text[:limit] + "…"
