"""XSS through data values into reports: a hostile cell (``<script>``, an attribute breakout
``"><img onerror>``) is shown escaped in the HTML validation report — the local one, the
quarantined one, and the one published on the portal."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from tests.support.catalog import copy_catalog
from tests.support.cli import run
from tests.validate.helpers import run as validate_text
from tests.validate.helpers import schema_of
from validate.html import render
from validate.schema import load_schema

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
DATASET = "co-so-luu-tru"
ORG = "so-du-lich"


class Elements(HTMLParser):
    """Every element of a page with its attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """No script element, no event-handler attribute, no image from the data: the hostile
    values are text. And the value is there, escaped (so the test saw it)."""
    parser = Elements()
    parser.feed(html)
    assert [t for t, _ in parser.found if t == "script"] == []
    assert [(t, a) for t, a in parser.found if any(k.startswith("on") for k in a)] == []
    assert [(t, a) for t, a in parser.found if t == "img" and a.get("src") == "x"] == []
    assert ESCAPED_SCRIPT in html


def test_hostile_cells_are_escaped_in_the_local_report(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "ma", "title": "Mã"},
        {"name": "so", "type": "integer", "title": "Số"},
        {"name": "ghi_chu", "title": "Ghi chú"},
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(
        [
            ["ma", "so", "ghi_chu", f"x{SCRIPT}"],
            ["A1", SCRIPT, BREAKOUT, ""],
            ["A2", BREAKOUT, "", ""],
        ]
    )
    rep = validate_text(tmp_path, out.getvalue(), schema)
    assert rep.counts["type-error"] == 2  # both hostile values are failing cells
    assert any(f.value == SCRIPT for f in rep.findings)
    html = render(rep, table=tmp_path / "data.csv", schema=load_schema(tmp_path / "schema.json"))
    assert_inert(html)
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html  # shown, as text


def hostile_catalog(root: Path, value: str) -> None:
    path = root / "samples" / ORG / f"{DATASET}.csv"
    rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
    rows[2][1] = value  # ten of LT-0002
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat", only=(DATASET,))


def test_hostile_cells_are_escaped_in_the_published_and_quarantined_reports(
    portal, root: Path, tmp_path: Path
) -> None:
    portal.reset()
    work = tmp_path / "work"
    # a formula-like cell is published (escaped with ') and reported as a warning with its value
    hostile_catalog(root, f"={SCRIPT}{BREAKOUT}")
    proc = run("publish", DATASET, root=root, env={"DULIEUMO_WORK_DIR": str(work)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pkg = portal.ckan().action.package_show(id=DATASET)
    urls = [r["url"] for r in pkg["resources"] if r["url"].endswith(".html")]
    assert urls, [r["url"] for r in pkg["resources"]]
    for url in urls:
        page = httpx.get(url, timeout=60)
        assert page.status_code == 200
        assert "formula-escaped" in page.text or "công thức" in page.text
        assert_inert(page.text)

    # an invalid cell: the run is refused and quarantined; its report is inert too
    hostile_catalog(root, "")  # ten is required: an error on that row
    path = root / "samples" / ORG / f"{DATASET}.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    rows[3][4] = SCRIPT  # so_phong of LT-0003: not an integer
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    proc = run("publish", DATASET, root=root, env={"DULIEUMO_WORK_DIR": str(work)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    reports = list((work / "quarantine").rglob("report.html"))
    assert reports
    for report in reports:
        assert_inert(report.read_text(encoding="utf-8"))
