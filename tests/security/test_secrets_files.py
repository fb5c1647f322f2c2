"""Finding 4: the portal's secrets (ckan.ini with SECRET_KEY and the database passwords,
secrets.json, tokens.json) are readable by their owner only — files 0600 in a 0700 state
folder — on a fresh installation and on an existing one after `dulieumo portal up`."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from portal import state
from portal.settings import PortalSettings

DULIEUMO = str(Path(sys.executable).with_name("dulieumo"))
SECRET_FILES = ("ckan.ini", "secrets.json", "tokens.json")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(state_dir: Path) -> None:
    assert mode(state_dir) == 0o700, f"{state_dir}: {mode(state_dir):04o}"
    for name in SECRET_FILES:
        path = state_dir / name
        assert path.exists(), path
        assert mode(path) == 0o600, f"{path}: {mode(path):04o}"


def test_the_running_portal_keeps_its_secrets_private(portal) -> None:
    settings = PortalSettings()
    assert "SECRET_KEY" in settings.ini.read_text(encoding="utf-8")
    assert_private(settings.state_dir)


def test_portal_up_repairs_the_modes_of_an_existing_installation(portal) -> None:
    settings = PortalSettings()
    settings.state_dir.chmod(0o755)  # as an older `portal up` left it
    for name in SECRET_FILES:
        (settings.state_dir / name).chmod(0o644)
    try:
        proc = subprocess.run(
            [DULIEUMO, "portal", "up", "--json"], capture_output=True, text=True, timeout=600
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
    finally:
        after = {name: mode(settings.state_dir / name) for name in SECRET_FILES}
        settings.state_dir.chmod(0o700)  # never leave the real portal open
        for name in SECRET_FILES:
            (settings.state_dir / name).chmod(0o600)
    assert after == dict.fromkeys(SECRET_FILES, 0o600)
    assert_private(settings.state_dir)


def test_make_private_on_a_loosened_copy(tmp_path: Path) -> None:
    settings = PortalSettings()
    copy = tmp_path / ".portal"
    copy.mkdir(mode=0o777)
    copy.chmod(0o777)
    for name in SECRET_FILES:
        shutil.copy(settings.state_dir / name, copy / name)
        (copy / name).chmod(0o666)
    (copy / "portal.pid").write_text("1")
    changed = state.make_private(copy)
    assert_private(copy)
    assert len(changed) == 1 + len(SECRET_FILES) and "0777 → 0700" in changed[0]
    assert state.make_private(copy) == []  # nothing left to change


def test_a_fresh_ini_is_never_readable_by_others(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "ckan.ini"
        state.write_private_text(target, "SECRET_KEY = x\n")
        assert mode(target) == 0o600 and target.read_text() == "SECRET_KEY = x\n"
        target.chmod(0o644)
        state.write_private_text(target, "SECRET_KEY = y\n")  # rewritten: private again
        assert mode(target) == 0o600
    finally:
        os.umask(old)
