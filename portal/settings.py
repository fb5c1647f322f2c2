"""Settings of the local portal, read from the environment (prefix ``DULIEUMO_``).

Every address is configurable so that an existing PostgreSQL or Redis is used as it is.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from dulieumo.settings import REPO_ROOT, Settings

CKAN_VERSION = "2.12.0"


class PortalSettings(Settings):
    """Where the local CKAN portal lives and which services it uses (the PostgreSQL server,
    ``pg_*``, is the core's setting, shared with the sample agency database)."""

    model_config = SettingsConfigDict(env_prefix="DULIEUMO_", extra="ignore")

    state_dir: Path = Field(default=REPO_ROOT / ".portal", description="Local state, outside git")
    portal_host: str = "127.0.0.1"
    portal_port: int = 5000
    portal_workers: int = 2
    site_title: str = "Cổng dữ liệu mở tỉnh Quảng Ninh"

    ckan_db: str = "dulieumo_ckan"
    datastore_db: str = "dulieumo_datastore"

    redis_url: str = "redis://127.0.0.1:6379/3"
    #: origins whose pages may read public data (GET) with CORS: "*" any, space separated, or ""
    cors_origins: str = "*"

    @property
    def url(self) -> str:
        return f"http://{self.portal_host}:{self.portal_port}"

    @property
    def venv(self) -> Path:
        return self.state_dir / "venv"

    @property
    def ckan_bin(self) -> Path:
        return self.venv / "bin" / "ckan"

    @property
    def ini(self) -> Path:
        return self.state_dir / "ckan.ini"

    @property
    def storage_dir(self) -> Path:
        return self.state_dir / "storage"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def server_log(self) -> Path:
        return self.log_dir / "portal.log"

    @property
    def pid_file(self) -> Path:
        return self.state_dir / "portal.pid"

    @property
    def secrets_file(self) -> Path:
        return self.state_dir / "secrets.json"

    @property
    def tokens_file(self) -> Path:
        return self.state_dir / "tokens.json"

    @property
    def extension_dir(self) -> Path:
        return REPO_ROOT / "portal" / "ckanext-dulieumo"

    @property
    def requirements_file(self) -> Path:
        return REPO_ROOT / "portal" / "requirements-ckan.txt"
