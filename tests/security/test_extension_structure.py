"""The extension's structure (issue 12): one plugin per capability, each custom action with an
auth function registered through IAuthFunctions, and an existing installation that gets the
new plugin list on `dulieumo portal up`."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import requests

from portal import manage
from portal.settings import PortalSettings

PLUGINS = {"dulieumo_search", "dulieumo_releases", "dulieumo_pages"}
ACTIONS = ("dulieumo_release_lock", "dulieumo_release_switch", "dulieumo_datastore_alias")

#: run inside the portal's own environment: CKAN loaded from ckan.ini, as gunicorn loads it
INSPECT = """
import json, sys
from ckan.cli import CKANConfigLoader
from ckan.config.middleware import make_app
make_app(CKANConfigLoader(sys.argv[1]).get_config())
import ckan.authz as authz
import ckan.logic as logic
import ckan.plugins as p
names = [n for n in authz.auth_functions_list() if n.startswith("dulieumo_")]
owners = {}
for plugin in p.PluginImplementations(p.IAuthFunctions):
    for name in plugin.get_auth_functions():
        owners[name] = plugin.name
actions = {n: logic.get_action(n).__module__ for n in ACTIONS}
print(json.dumps({"auth": names, "auth_owner": owners, "actions": actions}))
""".replace("ACTIONS", repr(ACTIONS))


@pytest.fixture(scope="module")
def local(portal) -> PortalSettings:
    if os.environ.get("DULIEUMO_TEST_PORTAL_URL"):
        pytest.skip("needs the local portal's own environment")
    return PortalSettings()


def test_every_release_action_has_a_registered_auth_function(local):
    proc = subprocess.run(
        [str(local.venv / "bin" / "python"), "-c", INSPECT, str(local.ini)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(ACTIONS) <= set(found["auth"])
    assert {found["auth_owner"][a] for a in ACTIONS} == {"dulieumo_releases"}
    assert {found["actions"][a] for a in ACTIONS} == {
        "ckanext.dulieumo.locks",
        "ckanext.dulieumo.releases",
        "ckanext.dulieumo.aliases",
    }


def test_callers_without_rights_are_stopped_by_the_actions_own_auth_function(portal):
    """Anonymous and a user of no organisation get a 403 whose message comes from the
    action's own auth function (it names the action), not from a core check."""
    from tests.security.release_actors import ensure_user

    no_org = ensure_user(portal, "rel_no_org")
    for token in (None, no_org):
        for action in ACTIONS:
            resp = requests.post(
                f"{portal.url}/api/3/action/{action}",
                json={
                    "id": "co-so-kham-chua-benh",
                    "owner": "x",
                    "owner_org": "so-y-te",
                    "staging_id": "co-so-kham-chua-benh--staging",
                    "resource_id": "khong-co",
                },
                headers={"Authorization": token} if token else {},
                timeout=60,
            )
            assert resp.status_code == 403, resp.text
            assert resp.json()["error"]["message"].startswith(f"Access denied: {action}: ")


def test_an_existing_installation_gets_the_new_plugin_list_on_up(local):
    text = local.ini.read_text(encoding="utf-8")
    old = "ckan.plugins = activity datastore dulieumo_search\n"
    current = next(line for line in text.splitlines() if line.startswith("ckan.plugins ="))
    local.ini.write_text(text.replace(current + "\n", old), encoding="utf-8")
    report = manage.up(local)
    assert "already-running" not in report.steps
    line = next(
        x
        for x in local.ini.read_text(encoding="utf-8").splitlines()
        if x.startswith("ckan.plugins")
    )
    assert set(line.split("=", 1)[1].split()) >= PLUGINS
    assert set(manage.status(local)["extensions"]) >= PLUGINS  # the server runs with them
    assert manage.up(local).steps == ["already-running"]
