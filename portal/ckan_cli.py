"""Run CKAN's own command line inside the portal's environment."""

from __future__ import annotations

import os
import subprocess

from dulieumo.errors import LocalPortalError

from .settings import PortalSettings


def run_ckan(settings: PortalSettings, *args: str, what: str, check: bool = True) -> str:
    """Run `ckan -c INI ARGS...`; return stdout. Errors show CKAN's last lines, not a wall."""
    cmd = [str(settings.ckan_bin), "-c", str(settings.ini), *args]
    env = {**os.environ, "CKAN_INI": str(settings.ini)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if check and proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-8:]
        raise LocalPortalError(
            f"CKAN failed while {what} (exit {proc.returncode}):\n"
            + "\n".join("    " + line for line in tail),
            hint="Run `dulieumo portal up` again; if it persists, `dulieumo portal status` "
            f"and the log in {settings.log_dir}.",
        )
    return proc.stdout


def parse_token(output: str) -> str:
    """`ckan user token add` prints the token on its last tab-indented line."""
    for line in reversed(output.splitlines()):
        if line.startswith("\t") and line.strip():
            return line.strip()
    raise LocalPortalError("CKAN did not print an API token.")
