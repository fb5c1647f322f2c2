"""The API guide page (``/huong-dan-api``, Vietnamese) and its live examples.

The examples name a real public dataset of this portal: the most recently updated one with
a stable "latest data" link, its DataStore alias (``co-so-luu-tru`` → ``co_so_luu_tru``),
one of its text columns and a value of it for the filter example. The limits shown are the
ones the portal runs with: the search caps (``ckanext.dulieumo.search_*``), the DataStore's
row caps, the DCAT page size and the upload size.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import ckan.plugins.toolkit as toolkit

from . import harvest_fields
from .search_guard import current_limits

#: what the examples show when the portal has no public dataset yet
PLACEHOLDER = {
    "name": "ten-bo-du-lieu",
    "title": "(chưa có bộ dữ liệu công khai)",
    "alias": "ten_bo_du_lieu",
    "latest_id": "<id-tai-nguyen>",
    "latest_url": "<url-du-lieu-moi-nhat>",
    "version": "1.0.0",
    "column": "ten_cot",
    "value": "giá trị",
}


def site_url() -> str:
    return str(toolkit.config.get("ckan.site_url") or "").rstrip("/")


def _action(name: str, data: dict[str, Any]) -> Any:
    # as the visitor: an anonymous visitor's guide shows public data only
    return toolkit.get_action(name)({"user": toolkit.current_user.name or ""}, data)


def alias_of(pkg: dict[str, Any]) -> str:
    return str(
        harvest_fields.value(pkg, "dulieumo_datastore_alias") or pkg["name"].replace("-", "_")
    )


def _latest(pkg: dict[str, Any]) -> dict[str, Any] | None:
    for res in pkg.get("resources") or []:
        if res.get(harvest_fields.ROLE_KEY) == "latest-data":
            return dict(res)
    return None


def _sample_filter(alias: str) -> tuple[str, str] | None:
    """A text column and its most common value among the first rows, for the filter
    example: the column with the fewest distinct short values (a category, not an id)."""
    try:
        found = _action("datastore_search", {"resource_id": alias, "limit": 50})
    except Exception:  # no table, no right: the guide shows a placeholder, never fails
        return None
    records = found.get("records") or []
    best: tuple[tuple[bool, int], str, str] | None = None
    for field in found.get("fields") or []:
        name = field.get("id")
        if name == "_id" or field.get("type") != "text":
            continue
        values = [r.get(name) for r in records]
        texts = [v for v in values if isinstance(v, str) and v and len(v) <= 60]
        if not texts or len(texts) < len(values):
            continue
        common = Counter(texts).most_common(1)[0][0]
        rank = (len(set(texts)) == 1, len(set(texts)))  # a constant column comes last
        if best is None or rank < best[0]:
            best = (rank, name, common)
    return (best[1], best[2]) if best else None


def example() -> dict[str, Any]:
    """The live example: a public dataset with a latest link, or the placeholder."""
    try:
        found = _action(
            "package_search",
            {"q": "*:*", "rows": 20, "sort": "metadata_modified desc", "include_private": False},
        )
    except Exception:  # a search refused or failing: the guide still renders
        return dict(PLACEHOLDER)
    for pkg in found.get("results") or []:
        latest = _latest(pkg)
        if latest is None:
            continue
        alias = alias_of(pkg)
        out = {
            "name": pkg["name"],
            "title": pkg.get("title") or pkg["name"],
            "alias": alias,
            "latest_id": latest["id"],
            "latest_url": latest.get("url") or "",
            "version": harvest_fields.value(pkg, "version", "dulieumo_version") or "",
            "column": PLACEHOLDER["column"],
            "value": PLACEHOLDER["value"],
        }
        sample = _sample_filter(alias)
        if sample:
            out["column"], out["value"] = sample
        return out
    return dict(PLACEHOLDER)


def limits() -> dict[str, Any]:
    config = toolkit.config
    search = current_limits()
    return {
        "search_rows": search.max_rows,
        "search_start": search.max_start,
        "search_timeout_ms": search.timeout_ms,
        "search_chars": search.max_chars,
        "search_terms": search.max_terms,
        "datastore_rows_max": int(config.get("ckan.datastore.search.rows_max") or 32000),
        "datastore_rows_default": int(config.get("ckan.datastore.search.rows_default") or 100),
        "dcat_page": int(config.get("ckanext.dcat.datasets_per_page") or 100),
        "upload_mb": int(config.get("ckan.max_resource_size") or 10),
    }


def guide() -> str:
    """The page."""
    return toolkit.render(
        "dulieumo/api_guide.html",
        {"site": site_url(), "ex": example(), "limits": limits()},
    )


def popup_example(resource_id: str) -> dict[str, Any]:
    """What the "Dữ liệu API" popup of a resource shows: the dataset's alias, whether this
    resource is what the alias points at, and a column and value for the filter example."""
    out: dict[str, Any] = {
        "site": site_url(),
        "alias": None,
        "is_latest": False,
        "column": PLACEHOLDER["column"],
        "value": PLACEHOLDER["value"],
    }
    try:
        res = _action("resource_show", {"id": resource_id})
        pkg = _action("package_show", {"id": res["package_id"]})
    except Exception:  # the popup still shows the resource id's examples
        return out
    latest = _latest(pkg)
    current = [r for r in harvest_fields.releases(pkg) if r.get("resources")]
    newest = current[-1]["resources"].get("release-data") if current else None
    out["alias"] = alias_of(pkg) if latest is not None else None
    out["is_latest"] = resource_id in {newest, latest["id"] if latest else None}
    sample = _sample_filter(out["alias"] or resource_id)
    if sample:
        out["column"], out["value"] = sample
    return out


def sitemap() -> tuple[str, dict[str, str]]:
    """``/sitemap.xml``: the home page, the guide, and every public dataset's page."""
    from xml.sax.saxutils import escape

    site = site_url()
    urls = [(f"{site}/", None), (f"{site}/huong-dan-api", None), (f"{site}/dataset", None)]
    start, rows = 0, 500
    while True:
        found = _action(
            "package_search",
            {
                "q": "*:*",
                "rows": rows,
                "start": start,
                "sort": "name asc",
                "fl": "name,metadata_modified",
                "include_private": False,
            },
        )
        results = found.get("results") or []
        for pkg in results:
            urls.append((f"{site}/dataset/{pkg['name']}", pkg.get("metadata_modified")))
        start += rows
        if not results or start >= int(found.get("count") or 0):
            break
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for loc, modified in urls:
        lastmod = f"<lastmod>{escape(str(modified)[:10])}</lastmod>" if modified else ""
        lines.append(f"  <url><loc>{escape(loc)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n", {"Content-Type": "application/xml; charset=utf-8"}
