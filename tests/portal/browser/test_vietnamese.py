"""Every citizen page is Vietnamese: no phrase of the maintained English list
(`english_phrases.txt`) in the visible text, nor in a screen-reader label, placeholder,
title or alt text. Chromium renders the page, so CKAN's JavaScript strings count too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import open_page, screenshot

PHRASES = [
    line.strip()
    for line in (Path(__file__).with_name("english_phrases.txt")).read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
PAGES = [
    "home",
    "search",
    "dataset",
    "resource",
    "organizations",
    "organization",
    "groups",
    "group",
    "about",
    "report",
    "dataset-activity",
    "organization-activity",
]

#: what a citizen or a screen reader is told: visible text, then labels and alt texts
READ_TEXT = """() => {
  const out = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll(
      '[aria-label], [placeholder], [title], img[alt], input[type=submit], [data-bs-title]')) {
    for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'data-bs-title'])
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    if (el.matches('input[type=submit]') && el.value) out.push(el.value);
  }
  return out.join('\\n');
}"""


def english_found(text: str) -> list[str]:
    """The phrases of the list in `text`, each matched as whole words."""
    found = []
    for phrase in PHRASES:
        left = r"\b" if phrase[0].isalnum() else ""
        right = r"\b" if phrase[-1].isalnum() else ""
        if re.search(left + re.escape(phrase) + right, text):
            found.append(phrase)
    return found


def test_the_detector_finds_ckans_english() -> None:
    assert english_found("Skip to main content · 2 Members · Search Datasets...") == [
        "Skip to main content",
        "Search Datasets",
        "Members",
        "Datasets",
    ]
    assert english_found("Chuyển đến nội dung chính · Tải về · Datasetsx") == []


@pytest.mark.parametrize("name", PAGES)
def test_citizen_page_has_no_english(browser, site, name: str) -> None:
    page = open_page(browser, site.url + site.pages[name], "desktop")
    try:
        assert page.evaluate("document.documentElement.lang") == "vi"
        text = page.evaluate(READ_TEXT)
        screenshot(page, name, "desktop")
        assert english_found(text) == [], f"{site.pages[name]}: English left on the page"
    finally:
        page.context.close()
