"""`dulieumo portal up | down | status | reset | token`: the local CKAN portal's life cycle.

Every step checks before it acts, so ``up`` is idempotent and finishes whatever an interrupted
``up`` left half done.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dulieumo.errors import LocalPortalError

from . import database, fulltext, install, server, services, site, state
from .ckan_cli import parse_token, run_ckan
from .ckan_ini import render_ini
from .settings import CKAN_VERSION, PortalSettings
from .state import ROLE_USERS, Role

if TYPE_CHECKING:
    from dulieumo.catalog import PortalSpec

Say = Callable[[str], None]


def quiet(_: str) -> None:
    return None


@dataclass
class UpReport:
    url: str
    pid: int
    steps: list[str] = field(default_factory=list)
    seconds: float = 0.0


#: the search index's row layout (ckanext/dulieumo/index.py LAYOUT): a new one re-runs
#: `ckan dulieumo init-db`, which fills the new columns of existing rows
SEARCH_LAYOUT = 4


def _db_stamp(settings: PortalSettings) -> str:
    return json.dumps(
        {
            "db": settings.ckan_db,
            "ds": settings.datastore_db,
            "ckan": CKAN_VERSION,
            "search_layout": SEARCH_LAYOUT,
        }
    )


def _ensure_schema(settings: PortalSettings, say: Say, steps: list[str]) -> None:
    stamp = settings.state_dir / "db-ready.json"
    schema = database.ckan_schema_state(settings)
    if (
        schema["core"]
        and schema["activity"]
        and stamp.exists()
        and stamp.read_text() == _db_stamp(settings)
    ):
        return
    if not schema["core"]:
        say("Initialising the CKAN database…")
        run_ckan(settings, "db", "init", what="initialising the database")
        steps.append("db-init")
    run_ckan(settings, "db", "upgrade", what="migrating the database")
    run_ckan(settings, "db", "upgrade", "-p", "activity", what="migrating the activity plugin")
    run_ckan(settings, "dulieumo", "init-db", what="creating the search index tables")
    perms = run_ckan(settings, "datastore", "set-permissions", what="reading DataStore permissions")
    database.apply_datastore_permissions(settings, perms)
    steps.append("db-migrate")
    stamp.write_text(_db_stamp(settings))


def _ensure_users(
    settings: PortalSettings, secrets: dict[str, str], say: Say, steps: list[str]
) -> None:
    existing = database.user_names(settings)
    for role, name in ROLE_USERS.items():
        if name not in existing:
            say(f"Creating the {role} user {name}…")
            password = secrets["admin_password" if role == "sysadmin" else "publisher_password"]
            run_ckan(
                settings,
                "user",
                "add",
                name,
                f"email={name}@dulieumo.local",
                f"password={password}",
                what=f"creating user {name}",
            )
            if role == "sysadmin":
                run_ckan(settings, "sysadmin", "add", name, what=f"making {name} a sysadmin")
            state.save_token(settings.tokens_file, role, "")
            steps.append(f"user-{role}")


def _token_valid(settings: PortalSettings, token: str) -> bool:
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        f"{settings.url}/api/3/action/dashboard_new_activities_count",
        headers={"Authorization": token},
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return bool(resp.status == 200)
    except urllib.error.HTTPError:
        return False
    except OSError:
        return False


def _ensure_tokens(settings: PortalSettings, steps: list[str]) -> dict[str, str]:
    tokens = state.read_tokens(settings.tokens_file)
    for role, name in ROLE_USERS.items():
        token = tokens.get(role, "")
        if token and _token_valid(settings, token):
            continue
        out = run_ckan(
            settings,
            "user",
            "token",
            "add",
            name,
            "dulieumo-pipeline",
            what=f"creating an API token for {name}",
        )
        tokens[role] = parse_token(out)
        state.save_token(settings.tokens_file, role, tokens[role])
        steps.append(f"token-{role}")
    return tokens


#: makes the portal's organisations and groups match the portal file, given a CKAN client
#: (ckanapi), the portal spec and the user to make their editor; returns what it created.
#: The caller hands it in (app.local_portal: publish.organizations.ensure_organizations), so
#: the portal manager never imports a stage.
Seeder = Callable[[Any, "PortalSpec", str], list[str]]


def seed_organizations(settings: PortalSettings, tokens: dict[str, str], seed: Seeder) -> list[str]:
    """Create the portal file's organisations and groups; make the publisher their editor."""
    from ckanapi import RemoteCKAN

    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root

    portal_spec = load_catalog(catalog_root()).portal  # DULIEUMO_ROOT's portal file
    with RemoteCKAN(settings.url, apikey=tokens["sysadmin"]) as ckan:
        created = seed(ckan, portal_spec, ROLE_USERS["publisher"])
    _seed_stamp(settings).write_text(_seed_fingerprint())
    return created


def _seed_stamp(settings: PortalSettings) -> Path:
    return settings.state_dir / "seeded.sha256"


def _seed_fingerprint() -> str:
    from dulieumo.paths import catalog_root

    portal_file = catalog_root() / "datasets" / "portal.yaml"
    return hashlib.sha256(portal_file.read_bytes()).hexdigest()


def _seeded(settings: PortalSettings) -> bool:
    stamp = _seed_stamp(settings)
    return stamp.exists() and stamp.read_text() == _seed_fingerprint()


def _ini_current(settings: PortalSettings) -> bool:
    """ckan.ini is what this version writes (an existing portal gets a new plugin list)."""
    try:
        text = settings.ini.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return text == render_ini(settings, state.load_secrets(settings.secrets_file))


def _ensure_js_translations(settings: PortalSettings, steps: list[str]) -> None:
    """CKAN's JavaScript strings ("Show more"…) come from files built from the catalogues,
    ours included; only CKAN's dev server builds them, so `up` does after an install."""
    built = settings.storage_dir / "i18n" / "js" / "vi.js"
    if "install" in steps or not built.exists():
        run_ckan(settings, "translation", "js", what="building the JavaScript translations")
        steps.append("js-translations")


def _sync_site(settings: PortalSettings) -> bool:
    """Hand the portal file's site texts to the portal (site.json); True when they changed."""
    from dulieumo.catalog import load_portal
    from dulieumo.paths import catalog_root

    return site.sync_site_file(settings, load_portal(catalog_root()))


def up(
    settings: PortalSettings | None = None, say: Say = quiet, seed: Seeder | None = None
) -> UpReport:
    """Install (if needed), configure and start the portal; idempotent. With `seed`, the
    portal file's organisations and groups are created too (again when that file changed)."""
    settings = settings or PortalSettings()
    started = time.monotonic()
    steps: list[str] = []
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    state.make_private(settings.state_dir)  # secrets: owner only, also on old installations
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    settings.log_dir.mkdir(parents=True, exist_ok=True)

    site_changed = _sync_site(settings)
    running = server.read_pid(settings)
    if running and server.status_show(settings):
        tokens = state.read_tokens(settings.tokens_file)
        if (
            not site_changed
            and all(tokens.get(r) for r in ROLE_USERS)
            and install.is_installed(settings)
            and (seed is None or _seeded(settings))
            and _ini_current(settings)
        ):
            return UpReport(settings.url, running, ["already-running"], time.monotonic() - started)

    services.ensure_postgres(settings)
    services.ensure_redis(settings)
    if not running and server.port_in_use(settings.portal_host, settings.portal_port):
        server.start(settings)  # raises the clear "port in use" error
    if install.ensure_installed(settings):
        say(f"Installed CKAN {CKAN_VERSION} into {settings.venv}")
        steps.append("install")
        if server.read_pid(settings):  # a running server still has the old code loaded
            server.stop(settings)
    secrets = state.load_secrets(settings.secrets_file)
    # e.g. a new plugin list, or new site texts: restart to load them
    ini_outdated = not _ini_current(settings) or site_changed
    state.write_private_text(settings.ini, render_ini(settings, secrets))
    if ini_outdated and server.read_pid(settings):
        server.stop(settings)
    database.ensure_databases(settings, secrets)
    _ensure_schema(settings, say, steps)
    if fulltext.ensure_fulltext(settings):
        steps.append("fulltext-recomputed")
    _ensure_users(settings, secrets, say, steps)
    _ensure_js_translations(settings, steps)
    say("Starting the portal…")
    pid = server.start(settings)
    tokens = _ensure_tokens(settings, steps)
    if seed is not None:
        seed_organizations(settings, tokens, seed)
    return UpReport(settings.url, pid, steps, time.monotonic() - started)


def down(settings: PortalSettings | None = None) -> bool:
    return server.stop(settings or PortalSettings())


def status(settings: PortalSettings | None = None) -> dict[str, Any]:
    settings = settings or PortalSettings()
    info = server.status_show(settings)
    pid = server.read_pid(settings)
    return {
        "url": settings.url,
        "healthy": info is not None,
        "running": pid is not None,
        "pid": pid,
        "ckan_version": (info or {}).get("ckan_version"),
        "site_title": (info or {}).get("site_title"),
        "extensions": (info or {}).get("extensions", []),
        "installed": install.is_installed(settings),
        "state_dir": str(settings.state_dir),
        "log": str(settings.server_log),
    }


def reset(settings: PortalSettings | None = None, seed: Seeder | None = None) -> float:
    """Empty the portal's data (datasets, orgs, groups, DataStore, uploads); keep users/tokens;
    with `seed`, create the portal file's organisations and groups again."""
    settings = settings or PortalSettings()
    started = time.monotonic()
    if not server.status_show(settings):
        raise LocalPortalError("The portal is not running.", hint="Run `dulieumo portal up` first.")
    # plain SQL without CKAN's start-up: ~2 s instead of ~10 s
    proc = subprocess.run(
        [str(settings.venv / "bin" / "python"), "-m", "ckanext.dulieumo.reset", str(settings.ini)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        run_ckan(settings, "dulieumo", "reset", what="resetting the portal's data")
    if seed is not None:
        seed_organizations(settings, state.read_tokens(settings.tokens_file), seed)
    return time.monotonic() - started


def token(role: Role, settings: PortalSettings | None = None) -> str:
    settings = settings or PortalSettings()
    value = state.read_tokens(settings.tokens_file).get(role)
    if not value:
        raise LocalPortalError(
            f"No {role} token is stored yet.", hint="Run `dulieumo portal up` first."
        )
    return value
