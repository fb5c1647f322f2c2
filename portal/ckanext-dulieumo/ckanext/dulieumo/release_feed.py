"""One Atom feed per dataset with one entry per release (and rollback), in Vietnamese:
``/dataset/<name>/phien-ban.atom``. Readable by whoever may read the dataset (package_show's
rule); a private dataset's feed is a 404 to the public, like its page."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from feedgen.feed import FeedGenerator
from flask import Blueprint, Response

from . import dataset_fields

blueprint = Blueprint("dulieumo_release_feed", __name__)


def _entry_text(row: dict[str, Any]) -> tuple[str, str]:
    if row["rollback_of"]:
        title = f"Phiên bản {row['version']}: khôi phục dữ liệu của phiên bản {row['rollback_of']}"
    else:
        title = f"Phiên bản {row['version']} ({row['kind']})"
    return title, " ".join(x for x in (row["summary"], row["note"]) if x)


@blueprint.route("/dataset/<id>/phien-ban.atom")
def release_feed(id: str) -> Response:
    try:
        user = getattr(tk.current_user, "name", "") or ""
        pkg = tk.get_action("package_show")({"user": user}, {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, "Không tìm thấy tập dữ liệu")
    site = str(tk.config.get("ckan.site_url") or "").rstrip("/")
    page = f"{site}/dataset/{pkg['name']}"
    feed = FeedGenerator()
    feed.id(f"{site}/dataset/{pkg['id']}/phien-ban.atom")
    feed.title(f"Các phiên bản của tập dữ liệu: {pkg['title']}")
    feed.subtitle("Mỗi lần phát hành hoặc khôi phục một phiên bản của tập dữ liệu.")
    feed.language("vi")
    feed.link(href=page, rel="alternate")
    feed.link(href=f"{site}/dataset/{pkg['name']}/phien-ban.atom", rel="self")
    feed.author({"name": (pkg.get("organization") or {}).get("title") or pkg["name"]})
    rows = dataset_fields.release_rows(pkg.get("dulieumo_releases"), pkg.get("resources", []))
    tz = str(tk.config.get("ckan.display_timezone") or dataset_fields.DEFAULT_TZ)
    feed.updated(dataset_fields.parse_time(pkg.get("metadata_modified")))
    for row in reversed(rows):  # feedgen puts the last added entry first
        title, text = _entry_text(row)
        entry = feed.add_entry()
        entry.id(f"{site}/dataset/{pkg['id']}/phien-ban/{row['version']}")
        entry.title(title)
        # one link only: feedgen 1.0 writes entry links without their rel, so a second
        # (the CSV as an enclosure) would read as a second "alternate"
        entry.link(href=f"{page}#lich-su-phien-ban", rel="alternate")
        when = dataset_fields.local_time(row["date_iso"], tz)
        entry.content(f"Phát hành lúc {when}. {text}".strip(), type="text")
        moment = dataset_fields.parse_time(row["date_iso"])
        if moment is not None:
            entry.updated(moment)
            entry.published(moment)
    return Response(feed.atom_str(pretty=True), content_type="application/atom+xml")
