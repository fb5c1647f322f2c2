"""The `dulieumo_search` plugin: PostgreSQL instead of Solr, and the `ckan dulieumo` commands.

The extension has one plugin per capability: this one (search), `dulieumo_releases`
(releases_plugin.py: release actions and their auth functions) and `dulieumo_pages`
(pages_plugin.py: templates and template helpers).

How it replaces Solr (CKAN 2.12.0 internals, pinned in portal/requirements-ckan.txt): every
index write and every query in ckan.lib.search (package_search, package_show's cache,
organisation/group counts via PackageSearchQuery, autocomplete, `ckan search-index`) asks
``make_connection()`` for a pysolr.Solr. We rebind that name in every module that imported
it to return our backend.PostgresSearchConnection, and answer the start-up schema check
(``check_solr_schema_version``, which would contact Solr) ourselves. Nothing contacts Solr.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from . import backend, cli, search_guard

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
            module.make_connection = _make_connection
    search.check_solr_schema_version = lambda *a, **k: True
    _PATCHED = True


class SearchPlugin(plugins.SingletonPlugin):
    """PostgreSQL search backend and the `ckan dulieumo` commands."""

    plugins.implements(plugins.IConfigurer)
    plugins.implements(plugins.IClick)
    plugins.implements(plugins.IPackageController, inherit=True)

    # IConfigurer: runs before CKAN's start-up Solr schema check
    def update_config(self, config: Any) -> None:
        """Install the backend before environment.update_config checks the Solr schema."""
        install_backend()

    # IClick
    def get_commands(self) -> list[Any]:
        return [cli.dulieumo]

    # IPackageController: refuse what the backend will not run, up front, as a 400
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        """Raise SearchQueryError (HTTP 400) for syntax or limits the backend refuses."""
        return search_guard.before_dataset_search(search_params)
