"""The portal's local state: generated secrets and API tokens, kept in files of mode 0600.

Tokens are read here and printed only by ``dulieumo portal token``; nothing else logs them.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Literal

Role = Literal["sysadmin", "publisher"]

ROLE_USERS: dict[Role, str] = {"sysadmin": "dulieumo_admin", "publisher": "dulieumo_publisher"}


def _write_private(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


#: the state folder and the files holding secrets: readable by their owner only
FOLDER_MODE = 0o700
FILE_MODE = 0o600
#: files of the state folder that hold secrets (ckan.ini: SECRET_KEY, database passwords)
SECRET_FILES = ("ckan.ini", "secrets.json", "tokens.json")


def make_private(state_dir: Path) -> list[str]:
    """Folder 0700, secret files 0600 — also on an installation made before this rule
    (called by every `portal up`). Returns what was changed, as "path: 0755 → 0700"."""
    changed = []
    state_dir.mkdir(parents=True, exist_ok=True)
    targets = [(state_dir, FOLDER_MODE)] + [(state_dir / n, FILE_MODE) for n in SECRET_FILES]
    for path, mode in targets:
        try:
            current = path.stat().st_mode & 0o777
        except FileNotFoundError:
            continue
        if current != mode:
            path.chmod(mode)
            changed.append(f"{path}: {current:04o} → {mode:04o}")
    return changed


def write_private_text(path: Path, text: str) -> None:
    """Write `text` to `path` as a file of mode 0600 from its first byte (atomic replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)


def _read(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def load_secrets(path: Path) -> dict[str, str]:
    """Secrets for ckan.ini and database roles, generated once and then kept."""
    data = _read(path)
    wanted = (
        "secret_key",
        "ckan_db_password",
        "datastore_ro_password",
        "admin_password",
        "publisher_password",
    )
    changed = False
    for key in wanted:
        if not data.get(key):
            data[key] = secrets.token_urlsafe(24)
            changed = True
    if changed or (path.exists() and path.stat().st_mode & 0o077):
        _write_private(path, data)
    return data


def read_tokens(path: Path) -> dict[str, str]:
    return _read(path)


def save_token(path: Path, role: Role, token: str) -> None:
    data = _read(path)
    data[role] = token
    _write_private(path, data)


def clear_tokens(path: Path) -> None:
    if path.exists():
        path.unlink()
