"""The `dulieumo_search` plugin: PostgreSQL instead of Solr, plus dulieumo's release actions."""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins
import ckan.plugins.toolkit as tk

from . import backend, cli, releases

_PATCHED = False


def _make_connection(*args: Any, **kwargs: Any) -> backend.PostgresSearchConnection:
    return backend.PostgresSearchConnection()


def install_backend() -> None:
    """Route every place CKAN talks to Solr to our PostgreSQL connection (idempotent).

    These are CKAN 2.12.0 internals (pinned in portal/requirements-ckan.txt): every index
    write and query goes through ``make_connection``; the start-up schema check would
    contact Solr, so it is answered here.
    """
    global _PATCHED
    if _PATCHED:
        return
    import ckan.lib.search as search
    import ckan.lib.search.common as common
    import ckan.lib.search.index as index
    import ckan.lib.search.query as query

    for module in (search, common, index, query):
        if hasattr(module, "make_connection"):
            module.make_connection = _make_connection  # type: ignore[attr-defined]
    search.check_solr_schema_version = lambda *a, **k: True  # type: ignore[assignment]
    _PATCHED = True


class SearchPlugin(plugins.SingletonPlugin):
    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IConfigurer: runs before CKAN's start-up Solr schema check
    def update_config(self, config: Any) -> None:
        install_backend()

    # IClick
    def get_commands(self) -> list[Any]:
        return [cli.dulieumo]

    # IPackageController: reject unsupported syntax up front, as a 400 (not CKAN's 409)
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        from ckan.lib.search.common import SearchQueryError

        from .query import parse

        for key in ("q", "fq"):
            value = search_params.get(key)
            if isinstance(value, str) and "{!" in value:
                raise SearchQueryError(f"Local parameters ({{!…}}) in '{key}' are not supported "
                                       "by this portal's search.")
            if key == "fq" and isinstance(value, str) and value.strip():
                parse(value)
        return search_params

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return {
            "dulieumo_release_lock": releases.release_lock,
            "dulieumo_release_switch": releases.release_switch,
            "dulieumo_datastore_alias": releases.datastore_alias,
        }
