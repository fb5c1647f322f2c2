"""The `dulieumo_data` plugin: looking at and reaching the data itself.

- resource pages and the data dictionary (``data_templates/``: the download choices on the
  first screen, Vietnamese column labels and type names, ``dictionary.py``);
- ``datastore_search_sql`` by alias and with clear refusals (``datastore_sql.py``);
- CORS for reading public data from other origins (``cors.py``);
- the map view ``dulieumo_map`` of tables with coordinates (``map_view.py``).

It is listed before ``datastore`` in ``ckan.plugins`` so that its templates come before the
DataStore's (CKAN gives earlier plugins' templates precedence).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from . import cors, datastore_sql, dictionary, map_view, streams

#: ckan.ini option: origins allowed to read (space separated); "*" = any, empty = none
CORS_OPTION = "ckanext.dulieumo.cors_origins"


def excel_csv_url(resource_id: str) -> str:
    """The DataStore dump as CSV with a UTF-8 BOM: Excel opens Vietnamese text correctly."""
    return str(tk.url_for("datastore.dump", resource_id=resource_id, bom=True))


class DataPlugin(plugins.SingletonPlugin):
    """Resource pages, data dictionary, SQL by alias and CORS."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.ITemplateHelpers)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IMiddleware, inherit=True)
    plugins.implements(plugins.IResourceView, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "data_templates")
        tk.add_public_directory(config, "data_public")  # Leaflet, served by the portal

    # ITemplateHelpers
    def get_helpers(self) -> dict[str, Any]:
        return {
            "dulieumo_type_label": dictionary.type_label,
            "dulieumo_excel_csv_url": excel_csv_url,
            "dulieumo_map_points": map_view.points,
        }

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return {"datastore_search_sql": datastore_sql.datastore_search_sql}

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return {"datastore_search_sql": datastore_sql.datastore_search_sql_auth}

    # IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        app = streams.install(app)
        return cors.install(app, cors.parse_origins(config.get(CORS_OPTION, "*")))

    # IResourceView: the map of a table's points
    def info(self) -> dict[str, Any]:
        return map_view.view_info()

    def can_view(self, data_dict: dict[str, Any]) -> bool:
        return bool(data_dict["resource"].get("datastore_active"))

    def view_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "dulieumo/map_view.html"

    def form_template(self, context: Any, data_dict: dict[str, Any]) -> str:
        return "dulieumo/map_form.html"
