"""Shared fixtures: the real local CKAN portal, brought up once per test run."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from ckanapi import RemoteCKAN

pytest_plugins = ["tests.samples.agency_fixture"]  # fixture `agency`: the sample agency server

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


@dataclass
class Portal:
    """The running portal as tests see it: URL, tokens, reset."""

    url: str
    tokens: dict[str, str]
    ini: str | None = None
    ckan_bin: str | None = None

    def token(self, role: str) -> str:
        return self.tokens[role]

    def ckan(self, role: str | None = None) -> RemoteCKAN:
        return RemoteCKAN(self.url, apikey=self.tokens[role] if role else None)

    def reset(self) -> None:
        if self.ini and self.ckan_bin:  # a developer's scratch portal
            subprocess.run(
                [self.ckan_bin, "-c", self.ini, "dulieumo", "reset"],
                check=True,
                capture_output=True,
            )
            return
        from app import local_portal

        local_portal.reset()


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    url = os.environ.get("DULIEUMO_TEST_PORTAL_URL")
    if url:
        yield Portal(
            url=url,
            tokens={
                "sysadmin": os.environ["DULIEUMO_TEST_SYSADMIN_TOKEN"],
                "publisher": os.environ.get("DULIEUMO_TEST_PUBLISHER_TOKEN", ""),
            },
            ini=os.environ.get("DULIEUMO_TEST_PORTAL_INI"),
            ckan_bin=os.environ.get("DULIEUMO_TEST_CKAN_BIN"),
        )
        return
    from app import local_portal
    from dulieumo.errors import DulieumoError
    from portal import state
    from portal.settings import PortalSettings

    settings = PortalSettings()
    try:
        local_portal.up(settings)
    except DulieumoError as exc:
        pytest.exit(
            f"The local portal could not start, so the portal tests cannot run:\n{exc}",
            returncode=3,
        )
    yield Portal(url=settings.url, tokens=state.read_tokens(settings.tokens_file))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the portal fixture are marked `portal` (deselect with -m "not portal")."""
    for item in items:
        if "portal" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.portal)
