"""The `dulieumo_developers` plugin: what developers and harvesters read.

- ``/huong-dan-api``: the API guide, in Vietnamese, with live examples (api_guide.py);
- the "Dữ liệu API" popup of a resource (``datastore/snippets/api_info.html``), in
  Vietnamese with the dataset's stable DataStore alias;
- ``/sitemap.xml``: the public dataset pages for search engines;
- ``charset=utf-8`` on ckanext-dcat's RDF responses.

The DCAT profiles (dcat_profile.py) are ckanext-dcat entry points (``ckan.rdf.profiles``),
not part of this class. Its templates (``developer_templates/``) come first: the plugin is
listed before ``datastore`` in ckan.plugins, so its popup wins over the DataStore's.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
from flask import Blueprint, Response

from . import api_guide

#: RDF serialisations ckanext-dcat answers without a charset (clients would guess Latin-1)
RDF_TYPES = ("text/turtle", "text/n3", "application/ld+json", "application/rdf+xml")


def add_charset(response: Any) -> Any:
    """Declare UTF-8 on the RDF responses (ckanext-dcat serialises UTF-8, says nothing)."""
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip() in RDF_TYPES and "charset" not in content_type:
        response.headers["Content-Type"] = f"{content_type}; charset=utf-8"
    return response


def _sitemap() -> Response:
    body, headers = api_guide.sitemap()
    return Response(body, headers=headers)


def blueprint() -> Blueprint:
    bp = Blueprint("dulieumo_developers", __name__)
    bp.add_url_rule("/huong-dan-api", "api_guide", api_guide.guide)
    bp.add_url_rule("/sitemap.xml", "sitemap", _sitemap)
    return bp


class DevelopersPlugin(plugins.SingletonPlugin):
    """The API guide, the Vietnamese "Dữ liệu API" popup and the sitemap."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IBlueprint)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IMiddleware, inherit=True)  # inherit: make_error_log_middleware

    # IConfigurer
    def update_config(self, config: Any) -> None:
        # a directory of its own: the plugin is listed first in ckan.plugins, so these
        # templates win over the DataStore's (a directory shared with dulieumo_pages, listed
        # last, would keep that plugin's lower place)
        plugins.toolkit.add_template_directory(config, "developer_templates")

    # IBlueprint
    def get_blueprint(self) -> Blueprint:
        return blueprint()

    # IMiddleware: UTF-8 declared on the RDF endpoints
    def make_middleware(self, app: Any, config: Any) -> Any:
        app.after_request(add_charset)
        return app

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"dulieumo_api_example": api_guide.popup_example}
