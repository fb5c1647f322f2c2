"""The `dulieumo_pages` plugin: what the portal's pages show beyond stock CKAN.

Templates (``templates/``: freshness on the dataset page) and template helpers. Later page
work (report downloads and their headers, further pages) belongs here, in modules of its own
registered from this class.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from . import freshness


class PagesPlugin(plugins.SingletonPlugin):
    """Templates and template helpers of dulieumo's portal pages."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        plugins.toolkit.add_template_directory(config, "templates")

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"dulieumo_freshness": freshness.freshness}
