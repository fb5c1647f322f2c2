"""A national portal's harvest of our catalogue, run with the portal's Python (ckanext-dcat).

    .portal/venv/bin/python harvest_parser.py URL

reads ``URL`` (``…/catalog.ttl``, with any query) and every next page (``hydra:nextPage``)
with ckanext-dcat's RDFParser (profile euro_dcat_ap_3, as a harvesting CKAN would) and
prints JSON: ``{"pages": n, "datasets": [{"uri", "title", "version", "resources": [...]}]}``.
"""

from __future__ import annotations

import json
import sys
import urllib.request

from ckanext.dcat.processors import RDFParser


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        if response.status != 200:
            raise SystemExit(f"{url}: HTTP {response.status}")
        return response.read().decode("utf-8")


def harvest(url: str) -> dict:
    datasets, pages, seen = [], 0, set()
    next_url: str | None = url
    while next_url:
        if next_url in seen:
            raise SystemExit(f"paging loops back to {next_url}")
        seen.add(next_url)
        parser = RDFParser(profiles=["euro_dcat_ap_3"])
        parser.parse(fetch(next_url), _format="turtle")
        pages += 1
        for dataset in parser.datasets():
            datasets.append(
                {
                    "uri": dataset.get("uri"),
                    "title": dataset.get("title"),
                    "version": dataset.get("version"),
                    "extras": {e["key"]: e["value"] for e in dataset.get("extras", [])},
                    "resources": [
                        {
                            k: r.get(k)
                            for k in ("uri", "name", "url", "download_url", "mimetype", "size")
                        }
                        | {"hash": r.get("hash")}
                        for r in dataset.get("resources", [])
                    ],
                }
            )
        next_page = parser.next_page()
        next_url = str(next_page) if next_page else None
    return {"pages": pages, "datasets": datasets}


if __name__ == "__main__":
    json.dump(harvest(sys.argv[1]), sys.stdout, ensure_ascii=False)
