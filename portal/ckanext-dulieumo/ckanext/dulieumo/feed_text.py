"""The Atom feeds' texts and ids, without CKAN (feeds.py applies them; tested without CKAN)."""

from __future__ import annotations

import math
import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from . import dataset_fields

_TITLE = re.compile(r'^(?P<site>.*) - (?P<kind>Organization|Group): "(?P<name>.*)"$')
_DESCRIPTION = re.compile(
    r"^Recently created or updated datasets on (?P<site>.*?) ?"
    r'(?:by (?P<kind>organization|group): "(?P<name>.*)")?$'
)
_KIND_VI = {"organization": "cơ quan", "group": "lĩnh vực"}


def vi_title(title: str) -> str:
    match = _TITLE.match(title or "")
    if not match:
        return title
    return f'{match["site"]} - {_KIND_VI[match["kind"].lower()].capitalize()}: "{match["name"]}"'


def vi_description(description: str) -> str:
    match = _DESCRIPTION.match(description or "")
    if not match:
        return description
    text = f"Các tập dữ liệu mới tạo hoặc mới cập nhật trên {match['site'].strip()}"
    if match["kind"]:
        text += f' của {_KIND_VI[match["kind"]]} "{match["name"]}"'
    return text


def fixed_guid(guid: str | None) -> str | None:
    """CKAN builds the organisation and group feed ids without the path's leading slash
    (``http://host:5000feeds/group/x.atom``)."""
    if guid is None:
        return None
    return re.sub(r"(?<!/)(feeds/(?:organization|group)/)", r"/\1", guid)


def fixed_link(url: str | None, site_url: str) -> str | None:
    """CKAN 2.12's feed links, repaired and absolute: its `_feed_url` writes each query
    parameter as ``query=key&query=value`` (`/dataset/?query=organization&query=x`), and the
    last page is a fraction (``page=1.05`` for 1 dataset)."""
    if not url:
        return url
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    pairs = query.pop("query", [])
    params = {k: v[-1] for k, v in query.items()}
    if len(pairs) == 2:
        params[pairs[0]] = pairs[1]
    if "page" in params:
        try:
            params["page"] = str(max(1, math.floor(float(params["page"]))))
        except ValueError:
            params.pop("page")
        if params.get("page") == "1":
            params.pop("page")
    link = parts.path + ("?" + urlencode(params) if params else "")
    base = f"{parts.scheme}://{parts.netloc}" if parts.netloc else site_url.rstrip("/")
    return base + link


def page_of(url: str | None) -> int:
    values = parse_qs(urlsplit(url or "").query).get("page")
    return int(values[0]) if values and values[0].isdigit() else 1


def dataset_id(api_link: str) -> str | None:
    """The dataset id of CKAN's entry link (``…/api/3/action/package_show?id=…``)."""
    values = parse_qs(urlsplit(api_link).query).get("id")
    return values[0] if values else None


def release_content(releases: Any, tz: str = dataset_fields.DEFAULT_TZ) -> str | None:
    """The newest release in Vietnamese, for the entry's content; None without releases."""
    rows = dataset_fields.release_rows(releases, [], tz)
    if not rows:
        return None
    newest = rows[0]
    text = f"Phiên bản {newest['version']} ({newest['kind']})"
    if newest["rollback_of"]:
        text += f", khôi phục dữ liệu của phiên bản {newest['rollback_of']}"
    when = dataset_fields.local_time(newest["date_iso"], tz)
    return f"{text}, phát hành lúc {when}. {newest['summary']}".rstrip()
