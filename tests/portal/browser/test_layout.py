"""Phones and accessibility on every citizen page, at 1366 px and 390 px: no horizontal
overflow, one H1 before any H2, meaningful alt texts, and axe-core (pinned, injected into
the page) reports no serious or critical violation. Screenshots of each page and width go to
`.artefacts/screenshots/`."""

from __future__ import annotations

import re

import pytest

from .axe import VERSION as AXE_VERSION
from .axe import axe_source
from .conftest import ARTEFACTS, VIEWPORTS, open_page, screenshot
from .test_vietnamese import PAGES

#: elements sticking out of the screen, for the failure message (nothing hidden: real width)
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1) {
      const cls = typeof el.className === 'string' ? el.className.trim() : '';
      wide.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (cls ? '.' + cls.split(/\\s+/).join('.') : '') + ' right=' + Math.round(r.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: width, wide: wide.slice(0, 8)};
}"""
#: headings in document order, and the images with their alt texts
HEADINGS = "() => Array.from(document.querySelectorAll('h1, h2')).map(h => h.tagName)"
IMAGES = """() => Array.from(document.images).filter(i => i.getClientRects().length)
  .map(i => ({src: i.getAttribute('src'), alt: i.getAttribute('alt')}))"""


def bad_alt(alt: str | None) -> bool:
    """A missing alt, CKAN's "Placeholder", or a web slug (so-y-te) is no description; an empty
    alt marks a decorative image and is fine."""
    if alt is None:
        return True
    if alt == "":
        return False
    return alt.lower() in {"placeholder", "image", "logo"} or bool(
        re.fullmatch(r"[a-z0-9_-]+", alt)
    )


def test_bad_alt_texts_are_recognised() -> None:
    assert bad_alt(None) and bad_alt("so-y-te") and bad_alt("Placeholder")
    assert not bad_alt("") and not bad_alt("Trang của Sở Y tế")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", PAGES)
def test_page_fits_and_is_structured(browser, site, name: str, viewport: str) -> None:
    page = open_page(browser, site.url + site.pages[name], viewport)
    try:
        screenshot(page, name, viewport)
        box = page.evaluate(OVERFLOW)
        assert box["scroll"] <= box["width"], f"{site.pages[name]} at {viewport}: {box}"
        headings = page.evaluate(HEADINGS)
        assert headings.count("H1") == 1, f"{site.pages[name]}: {headings}"
        assert headings[0] == "H1", f"{site.pages[name]}: an H2 before the H1: {headings}"
        images = page.evaluate(IMAGES)
        assert [i for i in images if bad_alt(i["alt"])] == [], site.pages[name]
    finally:
        page.context.close()


@pytest.fixture(scope="session")
def axe_js() -> str:
    return axe_source(ARTEFACTS / "axe-core")


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(browser, site, axe_js: str, name: str) -> None:
    page = open_page(browser, site.url + site.pages[name], "desktop")
    try:
        page.add_script_tag(content=axe_js)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if n["target"] else "" for n in v["nodes"][:3])
            for v in result["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert result["testEngine"]["version"] == AXE_VERSION  # the pinned one ran
        assert serious == [], f"{site.pages[name]}: axe-core {AXE_VERSION}"
    finally:
        page.context.close()
