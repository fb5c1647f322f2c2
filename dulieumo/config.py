"""Where the pipeline publishes: CKAN_URL and CKAN_API_TOKEN, else the local portal's state."""

from __future__ import annotations

import os
from dataclasses import dataclass

from dulieumo.errors import PortalError


@dataclass(frozen=True)
class PortalTarget:
    url: str
    token: str = ""
    source: str = "env"

    def __repr__(self) -> str:  # never show the token
        return f"PortalTarget(url={self.url!r}, source={self.source!r}, token=***)"


def portal_target() -> PortalTarget:
    """The portal to publish to; the embedded local portal by default."""
    url = os.environ.get("CKAN_URL", "").strip()
    token = os.environ.get("CKAN_API_TOKEN", "").strip()
    if url:
        if not token:
            raise PortalError(
                f"CKAN_URL is set ({url}) but CKAN_API_TOKEN is not.",
                hint="Export CKAN_API_TOKEN with an editor token of the publishing organisation.",
            )
        return PortalTarget(url.rstrip("/"), token, "env")
    from portal.settings import PortalSettings
    from portal.state import read_tokens

    settings = PortalSettings()
    stored = read_tokens(settings.tokens_file).get("publisher", "")
    if not stored:
        raise PortalError(
            "No portal is configured: CKAN_URL is unset and the local portal has no token yet.",
            hint="Run `dulieumo portal up` (or `make demo`), "
            "or export CKAN_URL and CKAN_API_TOKEN.",
        )
    return PortalTarget(settings.url, token or stored, "local")
