"""The portal's own texts (home, about, footer), handed from the portal file to the portal.

``dulieumo portal up`` writes ``<state dir>/site.json`` from the ``site:`` section of
``datasets/portal.yaml`` (and its title, province and operator); ckan.ini names the file
(``ckanext.dulieumo.site_file``) and the extension's ``dulieumo_pages`` plugin reads it. The
portal's templates hold no province's name.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .settings import PortalSettings

if TYPE_CHECKING:
    from dulieumo.catalog import PortalSpec

#: the ckan.ini option naming the file
INI_OPTION = "ckanext.dulieumo.site_file"


def site_file(settings: PortalSettings) -> Path:
    return settings.state_dir / "site.json"


def site_config(portal: PortalSpec) -> dict[str, Any]:
    """The JSON the portal reads: the portal file's site texts, plain values only."""
    out: dict[str, Any] = {
        "title": portal.site_title,
        "province": {"code": portal.province.code, "name": portal.province.name},
    }
    if portal.site is None:
        return out
    site = portal.site.model_dump(mode="json")
    operator = next(o for o in portal.organizations if o.name == portal.site.operator)
    site["operator"] = {"name": operator.name, "title": operator.title}
    out.update(site)
    return out


def render_site(portal: PortalSpec) -> str:
    return json.dumps(site_config(portal), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def sync_site_file(settings: PortalSettings, portal: PortalSpec) -> bool:
    """Write the site file when its content changed; True when it did (restart to load the
    new title)."""
    path = site_file(settings)
    text = render_site(portal)
    try:
        if path.read_text(encoding="utf-8") == text:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return True
