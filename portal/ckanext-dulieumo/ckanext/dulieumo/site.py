"""The portal's own texts (home, about, footer), read from the site file.

``dulieumo portal up`` writes the file from ``datasets/portal.yaml`` (``site:``) and names it
in ckan.ini (``ckanext.dulieumo.site_file``). It is read again when it changes, so new texts
show without a restart (the portal's title, set at start-up, needs one: ``portal up`` does it).
No text of a province is written in the templates; without a file they fall back to CKAN's.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

INI_OPTION = "ckanext.dulieumo.site_file"
_lock = threading.Lock()
_cache: dict[str, Any] = {"path": None, "mtime": None, "value": {}}


def read_site(path: str | Path | None) -> dict[str, Any]:
    """The site texts in `path` (cached until the file changes); {} when there are none."""
    if not path:
        return {}
    p = Path(path)
    try:
        mtime = p.stat().st_mtime_ns
    except OSError:
        return {}
    with _lock:
        if _cache["path"] == str(p) and _cache["mtime"] == mtime:
            return dict(_cache["value"])
        try:
            value = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            log.warning("site file %s unreadable: %s", p, exc)
            value = {}
        if not isinstance(value, dict):
            value = {}
        _cache.update(path=str(p), mtime=mtime, value=value)
        return dict(value)


def site() -> dict[str, Any]:
    """Template helper ``h.dulieumo_site()``: the texts of the configured site file."""
    from ckan.plugins import toolkit

    return read_site(toolkit.config.get(INI_OPTION))
