"""Gather the inputs of the report (catalogue, history, portal) and write its files."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from dulieumo.catalog import Catalog
from dulieumo.history import RunRecord

from .indicators import Agency, DeclaredDataset, compute
from .period import Period
from .publish import REPORT_DATASET
from .render import render_html


def declared_datasets(catalog: Catalog) -> list[DeclaredDataset]:
    """Every dataset of the catalogue; a spec that does not load still counts as declared."""
    out = []
    for name, path in sorted(catalog.files.items()):
        try:
            spec = catalog.get(name)
        except Exception:
            out.append(DeclaredDataset(name, path.parent.name, name, None))
            continue
        out.append(DeclaredDataset(name, spec.organization, spec.title.vi, str(spec.frequency)))
    return out


def portal_dataset_counts(client: Any) -> dict[str, int]:
    """Public datasets per organisation on the portal (the report's own dataset excluded)."""
    counts: Counter[str] = Counter()
    start, rows = 0, 500
    while True:
        page = client.call("package_search", {"q": "*:*", "rows": rows, "start": start})
        results = page.get("results", [])
        for pkg in results:
            org = (pkg.get("organization") or {}).get("name")
            if org and pkg.get("name") != REPORT_DATASET and not pkg.get("private"):
                counts[org] += 1
        start += len(results)
        if not results or start >= int(page.get("count", 0)):
            return dict(counts)


def build_report(
    period: Period,
    catalog: Catalog,
    records: Iterable[RunRecord],
    portal_counts: dict[str, int] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    agencies = [Agency(o.name, o.title) for o in catalog.portal.organizations]
    data = compute(period, agencies, declared_datasets(catalog), records, portal_counts, **kw)
    data["province"] = catalog.portal.province.name
    data["site_title"] = catalog.portal.site_title
    return data


def write_report(data: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"bao-cao-chi-so-{data['period']}"
    json_path = out_dir / f"{stem}.json"
    html_path = out_dir / f"{stem}.html"
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    json_path.write_text(unicodedata.normalize("NFC", text) + "\n", encoding="utf-8")
    html_path.write_text(render_html(data, data["province"], data["site_title"]), encoding="utf-8")
    return html_path, json_path
