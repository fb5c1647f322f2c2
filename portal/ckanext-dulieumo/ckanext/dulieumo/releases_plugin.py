"""The `dulieumo_releases` plugin: the release actions and their auth functions.

- ``dulieumo_release_lock`` (locks.py): one run publishes a dataset at a time;
- ``dulieumo_release_switch`` (releases.py): a staged release made public in one transaction;
- ``dulieumo_datastore_alias`` (aliases.py): the dataset's stable DataStore names;
- ``dulieumo_datastore_load`` (datastore_load.py): a release's table loaded with COPY;
- ``dulieumo_release_list`` (release_list.py): a dataset's releases as data (read only).

It also registers the dataset schema's validators (validators.py, schemas/dataset.yaml) and
each dataset's release feed, ``/dataset/<name>/phien-ban.atom`` (release_feed.py).

Every action validates its parameters (a 409 naming the field), then asks its auth function
(auth.py), which checks the caller's right on the dataset's own organisation.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins as plugins

from . import aliases, auth, datastore_load, locks, release_feed, release_list, releases, validators


class ReleasesPlugin(plugins.SingletonPlugin):
    """dulieumo's release actions, each with a registered auth function."""

    plugins.implements(plugins.IActions)
    plugins.implements(plugins.IAuthFunctions)
    plugins.implements(plugins.IValidators)
    plugins.implements(plugins.IBlueprint)

    # IActions
    def get_actions(self) -> dict[str, Any]:
        return {
            "dulieumo_release_lock": locks.release_lock,
            "dulieumo_release_switch": releases.release_switch,
            "dulieumo_datastore_alias": aliases.datastore_alias,
            "dulieumo_release_list": release_list.release_list,
            "dulieumo_datastore_load": datastore_load.datastore_load,
        }

    # IAuthFunctions
    def get_auth_functions(self) -> dict[str, Any]:
        return {
            **auth.auth_functions(),
            "dulieumo_release_list": release_list.release_list_auth,
        }

    # IValidators
    def get_validators(self) -> dict[str, Any]:
        return validators.validators()

    # IBlueprint: one Atom feed per dataset, one entry per release
    def get_blueprint(self) -> Any:
        return [release_feed.blueprint]
