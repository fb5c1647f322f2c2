"""The `dulieumo_developers` plugin: what developers and harvesters read.

- ``/huong-dan-api``: the API guide, in Vietnamese, with live examples (api_guide.py);
- the "Dữ liệu API" popup of a resource (``datastore/snippets/api_info.html``), in
  Vietnamese with the dataset's stable DataStore alias;
- ``/sitemap.xml``: the public dataset pages for search engines.

The DCAT profiles (dcat_profile.py) are ckanext-dcat entry points (``ckan.rdf.profiles``),
not part of this class. Listed before ``datastore`` in ckan.plugins, so that its popup
template wins over the DataStore's.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
from flask import Blueprint, Response

from . import api_guide


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

    # IConfigurer
    def update_config(self, config: Any) -> None:
        plugins.toolkit.add_template_directory(config, "templates")

    # IBlueprint
    def get_blueprint(self) -> Blueprint:
        return blueprint()

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {"dulieumo_api_example": api_guide.popup_example}
