"""The portal's own virtual environment: CKAN 2.12.0, gunicorn and our extension.

CKAN pins Flask/SQLAlchemy and friends, so it never shares the pipeline's environment; the
pipeline talks to it over HTTP only. A stamp records what was installed, so an interrupted
install is simply finished by the next ``portal up``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from dulieumo.errors import LocalPortalError

from .settings import CKAN_VERSION, PortalSettings

STAMP_NAME = ".dulieumo-installed"


def find_uv() -> str:
    candidates = [shutil.which("uv"), str(Path.home() / ".local" / "bin" / "uv")]
    for cand in candidates:
        if cand and Path(cand).exists():
            return cand
    raise LocalPortalError(
        "The `uv` installer was not found.", hint="Run `make install`, which installs uv."
    )


def _wanted_stamp(settings: PortalSettings) -> str:
    h = hashlib.sha256(CKAN_VERSION.encode())
    h.update(settings.requirements_file.read_bytes())
    for path in sorted(settings.extension_dir.rglob("*")):
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and ".egg-info" not in str(path)
            and path.suffix != ".mo"  # compiled from the .po by the install itself
        ):
            h.update(str(path.relative_to(settings.extension_dir)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def is_installed(settings: PortalSettings) -> bool:
    stamp = settings.venv / STAMP_NAME
    try:
        return stamp.read_text() == _wanted_stamp(settings) and settings.ckan_bin.exists()
    except FileNotFoundError:
        return False


def _run(cmd: list[str], what: str, log: Path) -> None:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as fh:
        fh.write(f"$ {' '.join(cmd)}\n")
        fh.flush()
        proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:]
        raise LocalPortalError(
            f"Installing the portal environment failed while {what} (exit {proc.returncode}).\n"
            + "\n".join("    " + line for line in tail),
            hint=f"Full log: {log}. Fix the cause (for psycopg2: gcc and libpq-dev, "
            "installed by `make install`), then run `dulieumo portal up` again.",
        )


#: the extension's translation catalogue (domain and folder), compiled at install
I18N_DOMAIN = "ckanext-dulieumo"
I18N_DIR = Path("ckanext") / "dulieumo" / "i18n"


def _compile_translations(settings: PortalSettings, log: Path) -> None:
    """Compile the extension's .po catalogues into .mo (Babel, installed with CKAN), so a
    fresh clone, which holds only the .po, ships its Vietnamese strings."""
    _run(
        [
            str(settings.venv / "bin" / "pybabel"),
            "compile",
            "--statistics",
            "-D",
            I18N_DOMAIN,
            "-d",
            str(settings.extension_dir / I18N_DIR),
        ],
        "compiling the extension's translations (pybabel compile)",
        log,
    )


# module in the portal's venv -> the Debian package holding the system library it loads
SYSTEM_LIBRARIES = {"magic": "libmagic1", "psycopg2": "libpq5"}


def _check_system_libraries(python: Path) -> None:
    """CKAN imports these at start-up; a missing system library would only show up later as
    a traceback in `ckan db init`. Say which package to install instead."""
    missing = []
    for module, package in SYSTEM_LIBRARIES.items():
        proc = subprocess.run(
            [str(python), "-c", f"import {module}"], capture_output=True, check=False
        )
        if proc.returncode != 0:
            missing.append(package)
    if missing:
        raise LocalPortalError(
            f"The portal environment is installed, but CKAN cannot load the system "
            f"librar{'ies' if len(missing) > 1 else 'y'} of {', '.join(missing)}.",
            hint=f"As root: `make install` (or apt-get install -y {' '.join(missing)}), "
            "then run `dulieumo portal up` again.",
        )


def ensure_installed(settings: PortalSettings) -> bool:
    """Install or finish installing the portal environment. Returns True when work was done."""
    if not (settings.extension_dir / "pyproject.toml").exists():
        raise LocalPortalError(f"The CKAN extension is missing at {settings.extension_dir}.")
    if is_installed(settings):
        return False
    uv = find_uv()
    log = settings.log_dir / "install.log"
    python = settings.venv / "bin" / "python"
    healthy = (
        python.exists()
        and subprocess.run([str(python), "-c", "pass"], capture_output=True, check=False).returncode
        == 0
    )
    if not healthy:
        _run(
            [uv, "venv", "--clear", "--python", "3.11", str(settings.venv)],
            "creating the venv",
            log,
        )
    env_python = ["--python", str(python)]
    importable = (
        healthy
        and subprocess.run(
            [str(python), "-c", "import ckan.cli.cli, gunicorn"], capture_output=True, check=False
        ).returncode
        == 0
    )
    # a half-finished install can leave packages recorded but files missing: reinstall then
    reinstall = [] if importable and settings.ckan_bin.exists() else ["--reinstall"]
    _run(
        [uv, "pip", "install", *env_python, *reinstall, "-r", str(settings.requirements_file)],
        f"installing CKAN {CKAN_VERSION}",
        log,
    )
    _compile_translations(settings, log)
    _run(
        # a regular (not editable) install: CKAN's `ckanext` namespace finds it reliably;
        # the stamp covers the extension's files, so `portal up` reinstalls after a change
        [
            uv,
            "pip",
            "install",
            *env_python,
            "--reinstall-package",
            "ckanext-dulieumo",
            str(settings.extension_dir),
        ],
        "installing the dulieumo CKAN extension",
        log,
    )
    _check_system_libraries(python)
    (settings.venv / STAMP_NAME).write_text(_wanted_stamp(settings))
    os.sync()
    return True
