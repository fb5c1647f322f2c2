"""The `dulieumo_pages` plugin: what the portal's pages show beyond stock CKAN.

Templates (``templates/``: freshness on the dataset page), template helpers, and the
response headers of every page and served file (``headers.py``: nosniff everywhere, a strict
Content-Security-Policy on resource downloads and uploads). Later page work belongs here, in
modules of its own registered from this class.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from . import feeds, freshness, headers, release_history


class PagesPlugin(plugins.SingletonPlugin):
    """Templates and template helpers of dulieumo's portal pages."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IMiddleware, inherit=True)  # inherit: make_error_log_middleware
    plugins.implements(plugins.IFeed)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        plugins.toolkit.add_template_directory(config, "templates")

    # IMiddleware: nosniff everywhere, a strict CSP on served files (headers.py)
    def make_middleware(self, app: Any, config: Any) -> Any:
        return headers.install(app)

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"dulieumo_freshness": freshness.freshness, **release_history.helpers()}

    # IFeed: Vietnamese feeds whose entries link to the dataset pages (feeds.py)
    def get_feed_class(self) -> Any:
        return feeds.PortalFeed

    def get_item_additional_fields(self, dataset_dict: dict[str, Any]) -> dict[str, Any]:
        return feeds.item_fields(dataset_dict)
