"""The portal the pipeline publishes to, as a value the publish stage receives.

Which portal that is (CKAN_URL and CKAN_API_TOKEN, else the local portal's state) is decided by
``portal.target.portal_target``: the core does not know the local portal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PortalTarget:
    url: str
    token: str = ""
    source: str = "env"

    def __repr__(self) -> str:  # never show the token
        return f"PortalTarget(url={self.url!r}, source={self.source!r}, token=***)"
