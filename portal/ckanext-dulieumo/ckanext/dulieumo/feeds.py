"""The portal's Atom feeds (`/feeds/dataset.atom`, `/feeds/organization/<name>.atom`, ...),
through CKAN's IFeed: in Vietnamese (``<language>vi``, titles and descriptions), each entry
linking to the dataset's page (CKAN links the API's package_show), with the newest release in
its content, and ids of the organisation and group feeds with their missing slash
(``tag:host,date:/feeds/group/x.atom``). The texts and ids are made in feed_text.py."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.views.feed import CKANFeed

from . import dataset_fields, feed_text


class PortalFeed(CKANFeed):
    """CKAN's feed, Vietnamese, with entries linking to the dataset pages."""

    def __init__(self, feed_title: str, feed_link: str, feed_description: str, **kw: Any):
        site = str(tk.config.get("ckan.site_url") or "")
        kw["language"] = "vi"
        kw["feed_guid"] = feed_text.fixed_guid(kw.get("feed_guid"))
        for key in ("feed_url", "previous_page", "next_page", "first_page", "last_page"):
            kw[key] = feed_text.fixed_link(kw.get(key), site)
        if kw.get("next_page") and feed_text.page_of(kw["next_page"]) > feed_text.page_of(
            kw.get("last_page")
        ):
            kw["next_page"] = None
        super().__init__(
            feed_text.vi_title(feed_title),
            feed_text.fixed_link(feed_link, site) or feed_link,
            feed_text.vi_description(feed_description),
            **kw,
        )

    def add_item(self, **kwargs: Any) -> None:
        """One dataset: its link is its page (not the API), no second alternate link."""
        page = kwargs.pop("dulieumo_page", None)
        link = kwargs.get("link")
        pkg_id = feed_text.dataset_id(link) if isinstance(link, str) else None
        if page or pkg_id:
            kwargs["link"] = page or tk.url_for("dataset.read", id=pkg_id, _external=True)
        kwargs.pop("enclosure", None)  # CKAN's enclosure is the API's JSON, without a rel
        super().add_item(**kwargs)


def item_fields(pkg: dict[str, Any]) -> dict[str, Any]:
    """The newest release in the entry's content (Vietnamese), when the dataset has one."""
    tz = str(tk.config.get("ckan.display_timezone") or dataset_fields.DEFAULT_TZ)
    content = feed_text.release_content(pkg.get("dulieumo_releases"), tz)
    fields = {"dulieumo_page": tk.url_for("dataset.read", id=pkg["name"], _external=True)}
    return {**fields, "content": content} if content else fields
