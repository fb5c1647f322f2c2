"""`dulieumo portal …` against the real local portal, and its faults with clear messages."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from ckanapi import NotAuthorized

from portal import manage, state
from portal.settings import PortalSettings

DULIEUMO = str(Path(sys.executable).with_name("dulieumo"))


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: int = 600):
    return subprocess.run(
        [DULIEUMO, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_status_json_reports_healthy_portal_with_our_plugins(portal):
    proc = run_cli("portal", "status", "--json")
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["healthy"] is True
    assert info["url"] == portal.url
    assert info["ckan_version"] == "2.12.0"
    assert {"activity", "datastore", "dulieumo_search"} <= set(info["extensions"])
    assert info["site_title"] == "Cổng dữ liệu mở tỉnh Quảng Ninh"


def test_up_twice_is_harmless_and_keeps_the_same_server(portal):
    before = manage.status()["pid"]
    proc = run_cli("portal", "up", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["pid"] == before
    assert out["steps"] == ["already-running"]


def test_tokens_are_private_and_printed_only_by_token_command(portal):
    settings = PortalSettings()
    for path in (settings.tokens_file, settings.secrets_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    tokens = state.read_tokens(settings.tokens_file)
    proc = run_cli("portal", "token")
    assert proc.stdout.strip() == tokens["publisher"]
    proc = run_cli("portal", "token", "--role", "sysadmin")
    assert proc.stdout.strip() == tokens["sysadmin"]
    assert tokens["publisher"] != tokens["sysadmin"]
    status_out = run_cli("portal", "status", "--json").stdout
    ini = settings.ini.read_text(encoding="utf-8")
    log = settings.server_log.read_text(encoding="utf-8", errors="replace")
    for token in tokens.values():
        assert token not in status_out and token not in ini and token not in log


def test_publisher_is_an_editor_of_every_organisation_but_not_sysadmin(portal):
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import REPO_ROOT

    ckan = portal.ckan("publisher")
    me = ckan.action.user_show(id="dulieumo_publisher")
    assert me["sysadmin"] is False
    orgs = {o["name"] for o in ckan.action.organization_list_for_user(permission="create_dataset")}
    wanted = {o.name for o in load_catalog(REPO_ROOT).portal.organizations}
    assert wanted and wanted <= orgs
    # an editor may not create organisations
    with pytest.raises(NotAuthorized):
        ckan.action.organization_create(name="khong-duoc-tao", title="Không được tạo")


def test_portal_is_vietnamese_by_default(portal):
    page = requests.get(f"{portal.url}/dataset", timeout=30)
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    assert "Cổng dữ liệu mở tỉnh Quảng Ninh" in page.text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_port_in_use_gives_one_clear_message(tmp_path):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        proc = run_cli(
            "portal",
            "up",
            env={"DULIEUMO_PORTAL_PORT": str(port), "DULIEUMO_STATE_DIR": str(tmp_path)},
        )
    assert proc.returncode == 2
    assert f"Port {port}" in proc.stderr and "already in use" in proc.stderr
    assert "DULIEUMO_PORTAL_PORT=" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_postgres_unreachable_names_address_and_fix(tmp_path):
    port = _free_port()
    proc = run_cli(
        "portal", "up", env={"DULIEUMO_PG_PORT": str(port), "DULIEUMO_STATE_DIR": str(tmp_path)}
    )
    assert proc.returncode == 2
    assert f"PostgreSQL is unreachable at 127.0.0.1:{port}" in proc.stderr
    assert "DULIEUMO_PG_HOST" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_redis_down_names_address_and_fix(tmp_path):
    port = _free_port()
    proc = run_cli(
        "portal",
        "up",
        env={
            "DULIEUMO_REDIS_URL": f"redis://127.0.0.1:{port}/0",
            "DULIEUMO_STATE_DIR": str(tmp_path),
        },
    )
    assert proc.returncode == 2
    assert f"Redis does not answer at 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_status_of_a_portal_that_is_not_running(tmp_path):
    proc = run_cli(
        "portal",
        "status",
        "--json",
        env={"DULIEUMO_STATE_DIR": str(tmp_path), "DULIEUMO_PORTAL_PORT": str(_free_port())},
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["healthy"] is False
    assert (
        "Start it with: dulieumo portal up"
        in run_cli(
            "portal",
            "status",
            env={"DULIEUMO_STATE_DIR": str(tmp_path), "DULIEUMO_PORTAL_PORT": str(_free_port())},
        ).stdout
    )


def test_token_before_up_says_what_to_run(tmp_path):
    proc = run_cli("portal", "token", env={"DULIEUMO_STATE_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert "dulieumo portal up" in proc.stderr


def test_reset_empties_data_keeps_users_and_recreates_organisations(portal):
    admin = portal.ckan("sysadmin")
    org = admin.action.organization_list()[0]
    admin.action.package_create(name="se-bi-xoa", title="Sẽ bị xóa", owner_org=org)
    assert admin.action.package_show(id="se-bi-xoa")["name"] == "se-bi-xoa"
    proc = run_cli("portal", "reset")
    assert proc.returncode == 0, proc.stderr
    assert admin.action.package_list() == []
    assert org in admin.action.organization_list()
    # tokens survive a reset
    assert portal.ckan("publisher").action.organization_list_for_user(permission="create_dataset")
    # the same name can be used again
    admin.action.package_create(name="se-bi-xoa", title="Sẽ bị xóa", owner_org=org)


@pytest.mark.slow
def test_up_recovers_after_a_crash_and_a_half_finished_install(portal):
    settings = PortalSettings()
    pid = manage.status()["pid"]
    os.killpg(pid, 9)  # crash: the server dies without cleaning its pid file
    (settings.venv / ".dulieumo-installed").unlink()  # install interrupted before its end
    (settings.state_dir / "db-ready.json").unlink()  # migrations interrupted
    proc = run_cli("portal", "up", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert "install" in out["steps"] and "db-migrate" in out["steps"]
    assert out["pid"] != pid
    assert manage.status()["healthy"] is True
    assert portal.ckan("publisher").action.organization_list_for_user(permission="create_dataset")
