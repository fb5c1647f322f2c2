"""The `dulieumo_pages` plugin: what the portal's pages show beyond stock CKAN.

Templates (``templates/``: home, about, header and footer, organisation and group pages, the
freshness lines and the "Báo lỗi / góp ý" link of the dataset page), our own Vietnamese
catalogue (``i18n/``, ITranslation: CKAN's missing and wrong strings), the portal's texts from
the site file (``site.py``), the validation report page (``report_page.py``), the stylesheet
(``public/dulieumo/``), template helpers, and the response headers of every page and served
file (``headers.py``: nosniff everywhere, a strict Content-Security-Policy on downloads).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
from ckan.lib.plugins import DefaultTranslation

from . import (
    collation,
    contact,
    feeds,
    freshness,
    headers,
    home,
    release_history,
    report_page,
    site,
)


class PagesPlugin(plugins.SingletonPlugin, DefaultTranslation):
    """Templates, translations and template helpers of dulieumo's portal pages."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.ITranslation)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.IMiddleware, inherit=True)  # inherit: make_error_log_middleware
    plugins.implements(plugins.IFeed)

    # ITranslation: the catalogue is i18n/vi/LC_MESSAGES/ckanext-dulieumo.po (.mo compiled
    # by `portal up`), merged over CKAN's own, so its entries win
    def i18n_domain(self) -> str:
        return "ckanext-dulieumo"

    # IConfigurer
    def update_config(self, config: Any) -> None:
        plugins.toolkit.add_template_directory(config, "templates")
        plugins.toolkit.add_public_directory(config, "public")
        texts = site.read_site(config.get(site.INI_OPTION))
        if texts:  # the portal's own name in the header, not CKAN's logo
            config["ckan.site_logo"] = texts.get("logo") or ""
        if texts.get("title"):
            config["ckan.site_title"] = texts["title"]
        if texts.get("description"):
            config["ckan.site_description"] = texts["description"]

    # IMiddleware: nosniff everywhere, a strict CSP on served files (headers.py)
    def make_middleware(self, app: Any, config: Any) -> Any:
        return headers.install(app)

    # IBlueprint: the validation report of a release inside the portal
    def get_blueprint(self) -> Any:
        return report_page.blueprint()

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {
            "dulieumo_freshness": freshness.freshness,
            "dulieumo_site": site.site,
            "dulieumo_home": home.home_stats,
            "dulieumo_vi_sorted": collation.sorted_dicts,
            "dulieumo_org_contact": contact.org_contact,
            "dulieumo_feedback_mailto": contact.feedback_mailto,
            "dulieumo_releases_of": home.releases_of,
            "dulieumo_report_url": report_page.report_url,
            **release_history.helpers(),
        }

    # IFeed: Vietnamese feeds whose entries link to the dataset pages (feeds.py)
    def get_feed_class(self) -> Any:
        return feeds.PortalFeed

    def get_item_additional_fields(self, dataset_dict: dict[str, Any]) -> dict[str, Any]:
        return feeds.item_fields(dataset_dict)
