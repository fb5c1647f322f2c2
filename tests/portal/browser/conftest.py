"""The browser-test harness: Debian's chromium driven by Playwright against the running portal.

Playwright's own browser download is not available here: the tests launch the `chromium`
package (`make install` installs it) at `/usr/bin/chromium` (`DULIEUMO_CHROMIUM` to change)
headless, at a desktop (1366 px) and a phone (390 px) width, and save a screenshot of every
page they check into `.artefacts/screenshots/` (outside git). The portal gets the health
dataset published for real (pull → validate → release, as the flow does), so every citizen
page has something to show.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dulieumo.settings import REPO_ROOT

CHROMIUM = os.environ.get("DULIEUMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTEFACTS = REPO_ROOT / ".artefacts"
SCREENSHOTS = ARTEFACTS / "screenshots"
#: (name, width, height) of the two screens every page is checked on
VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}
DATASET = "co-so-kham-chua-benh"
ORGANIZATION = "so-y-te"
GROUP = "y-te"


@dataclass(frozen=True)
class Site:
    """The published portal the browser visits: its URL and the pages a citizen reads."""

    url: str
    dataset: str
    version: str
    latest_resource: str
    organization: str
    group: str

    @property
    def pages(self) -> dict[str, str]:
        d = self.dataset
        return {
            "home": "/",
            "search": "/dataset/?q=benh+vien",
            "dataset": f"/dataset/{d}",
            "resource": f"/dataset/{d}/resource/{self.latest_resource}",
            "organizations": "/organization/",
            "organization": f"/organization/{self.organization}",
            "groups": "/group/",
            "group": f"/group/{self.group}",
            "about": "/about",
            "report": f"/dataset/{d}/bao-cao-kiem-tra/{self.version}",
            "dataset-activity": f"/dataset/activity/{d}",
            "organization-activity": f"/organization/activity/{self.organization}",
        }


def _publish(url: str, token: str, workdir: Path) -> None:
    """Publish the health dataset as the pipeline does (unchanged when it already is)."""
    from dulieumo.catalog import load_catalog
    from dulieumo.config import PortalTarget
    from publish.client import PortalClient
    from publish.releases import Releaser
    from pull import pull_source
    from validate import validate_table
    from validate.html import render

    catalog = load_catalog(REPO_ROOT)
    spec = catalog.get(DATASET)
    table = pull_source(spec, root=REPO_ROOT, workdir=workdir)
    report = validate_table(table.path, spec, root=REPO_ROOT)
    assert report.ok, report.to_dict()["counts"]
    schema = json.loads((REPO_ROOT / spec.schema_path).read_text(encoding="utf-8"))
    client = PortalClient(PortalTarget(url, token))
    Releaser(client, spec, catalog.portal, workdir=workdir).publish(
        table,
        report,
        schema,
        html=lambda version: render(report, table=table.path, version=version).encode("utf-8"),
    )


@pytest.fixture(scope="session")
def site(portal: Any, tmp_path_factory: pytest.TempPathFactory) -> Site:
    _publish(portal.url, portal.token("publisher"), tmp_path_factory.mktemp("publish"))
    pkg = portal.ckan().action.package_show(id=DATASET)
    latest = next(r for r in pkg["resources"] if r.get("dulieumo_role") == "latest-data")
    return Site(
        url=portal.url,
        dataset=DATASET,
        version=str(pkg.get("version")),
        latest_resource=latest["id"],
        organization=ORGANIZATION,
        group=GROUP,
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}: run `make install` (as root "
            "it installs the `chromium` package), or set DULIEUMO_CHROMIUM.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser: Any, url: str, viewport: str) -> Any:
    """A new page of `viewport` ("desktop", "phone") at `url`, loaded; Vietnamese locale."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    response = page.goto(url, wait_until="networkidle")
    assert response is not None and response.status == 200, (url, response and response.status)
    return page


def screenshot(page: Any, name: str, viewport: str) -> Path:
    """Save the whole page as `.artefacts/screenshots/<name>-<viewport>.png`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
