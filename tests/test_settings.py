"""One Settings class: every setting read from the environment in one place."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dulieumo.errors import TerminalError
from dulieumo.paths import catalog_root, work_root
from dulieumo.settings import REPO_ROOT, max_parallel, settings

PRODUCT = ["dulieumo", "pull", "validate", "publish", "flows", "notify", "portal", "app"]


def test_defaults_and_paths_follow_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DULIEUMO_ROOT", raising=False)
    monkeypatch.delenv("DULIEUMO_WORK_DIR", raising=False)
    assert catalog_root() == REPO_ROOT.resolve()
    monkeypatch.setenv("DULIEUMO_ROOT", str(tmp_path))
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "work"))
    assert catalog_root() == tmp_path.resolve()  # re-read: the environment changed
    assert work_root() == tmp_path / "work"


def test_max_parallel_is_parsed_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DULIEUMO_MAX_PARALLEL", raising=False)
    assert max_parallel() == 2
    monkeypatch.setenv("DULIEUMO_MAX_PARALLEL", " 3 ")
    assert max_parallel() == 3
    assert max_parallel(5) == 5  # --max-parallel wins
    monkeypatch.setenv("DULIEUMO_MAX_PARALLEL", "nhieu")
    with pytest.raises(TerminalError) as info:
        max_parallel()
    assert "DULIEUMO_MAX_PARALLEL" in info.value.message and "'nhieu'" in info.value.message
    from flows.publish_catalog import _workers_from_env

    assert _workers_from_env() == 2  # a deployment's default falls back; the CLI refuses


def test_lenient_settings_fall_back_and_secrets_stay_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DULIEUMO_NOTIFY_RETRY_DELAYS", "1,x")
    monkeypatch.setenv("DULIEUMO_NOTIFY_TIMEOUT", "0.1")
    monkeypatch.setenv("DULIEUMO_SMTP_PORT", "abc")
    monkeypatch.setenv("DULIEUMO_SMTP_PASSWORD", "mat-khau-bi-mat")
    monkeypatch.setenv("CKAN_API_TOKEN", "token-bi-mat")
    env = settings()
    assert env.notify_retry_delays == (2.0, 10.0)
    assert env.notify_timeout == 0.5
    assert env.smtp_port == 25
    assert "mat-khau-bi-mat" not in repr(env) and "token-bi-mat" not in repr(env)
    assert env.ckan_api_token.get_secret_value() == "token-bi-mat"


def test_nothing_else_reads_settings_from_os_environ() -> None:
    """Only dulieumo/settings.py (with its Prefect source, dulieumo/prefect_values.py) reads
    the environment for a setting; pull/env.py expands the ${VAR} a spec names (data);
    writes (os.environ[...] = / setdefault) are allowed."""
    allowed = {
        Path("dulieumo/settings.py"),
        Path("dulieumo/prefect_values.py"),
        Path("pull/env.py"),
    }
    readers = []
    for package in PRODUCT:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            rel = path.relative_to(REPO_ROOT)
            if rel in allowed or "ckanext-dulieumo" in rel.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "os.environ.get(" in text or "os.getenv(" in text or "environ.get(" in text:
                readers.append(str(rel))
    assert readers == []


def test_the_portal_is_seeded_from_dulieumo_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seeding used the repository's portal file even when DULIEUMO_ROOT named another."""
    from portal.manage import _seed_fingerprint

    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "portal.yaml").write_text("province: khac\n", encoding="utf-8")
    monkeypatch.delenv("DULIEUMO_ROOT", raising=False)
    here = _seed_fingerprint()
    monkeypatch.setenv("DULIEUMO_ROOT", str(tmp_path))
    assert _seed_fingerprint() != here


@pytest.mark.slow
def test_bad_max_parallel_from_the_command_line_is_a_clear_error(tmp_path: Path) -> None:
    dulieumo = str(Path(sys.executable).with_name("dulieumo"))
    proc = subprocess.run(
        [dulieumo, "publish", "--all", "--max-parallel", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DULIEUMO_WORK_DIR": str(tmp_path)},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "--max-parallel must be a whole number" in proc.stderr
