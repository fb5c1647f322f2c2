"""Session fixture ``agency``: the sample agency server (samples/agency_server.py), started once
per test run on a free port, stopped at the end. It points ``DULIEUMO_AGENCY_URL`` at itself,
so the sample specs' ``${DULIEUMO_AGENCY_URL:-…}`` URLs reach it, and loads the SQL sample."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from samples.agency_server import AgencyServer


@pytest.fixture(scope="session")
def agency() -> Iterator[AgencyServer]:
    before = os.environ.get("DULIEUMO_AGENCY_URL")
    server = AgencyServer(port=0).start()
    os.environ["DULIEUMO_AGENCY_URL"] = server.url
    try:
        yield server
    finally:
        server.stop()
        if before is None:
            os.environ.pop("DULIEUMO_AGENCY_URL", None)
        else:
            os.environ["DULIEUMO_AGENCY_URL"] = before
