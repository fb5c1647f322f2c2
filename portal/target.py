"""Where the pipeline publishes: CKAN_URL and CKAN_API_TOKEN, else the local portal's state."""

from __future__ import annotations

from dulieumo.config import PortalTarget
from dulieumo.errors import PortalError
from dulieumo.settings import settings

from .settings import PortalSettings
from .state import read_tokens


def portal_target() -> PortalTarget:
    """The portal to publish to; the embedded local portal by default."""
    env = settings()
    url = env.ckan_url
    token = env.ckan_api_token.get_secret_value().strip()
    if url:
        if not token:
            raise PortalError(
                f"CKAN_URL is set ({url}) but CKAN_API_TOKEN is not.",
                hint="Export CKAN_API_TOKEN with an editor token of the publishing organisation.",
            )
        return PortalTarget(url.rstrip("/"), token, "env")
    local = PortalSettings()
    stored = read_tokens(local.tokens_file).get("publisher", "")
    if not stored:
        raise PortalError(
            "No portal is configured: CKAN_URL is unset and the local portal has no token yet.",
            hint="Run `dulieumo portal up` (or `make demo`), "
            "or export CKAN_URL and CKAN_API_TOKEN.",
        )
    return PortalTarget(local.url, token or stored, "local")
