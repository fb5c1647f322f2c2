"""Every setting the pipeline reads from the environment, in one class.

``settings()`` is the only reader: nothing else in the product looks at ``os.environ`` for a
setting (``pull.env`` expands the ``${VAR}`` a spec names, which is data, not a setting). The
local portal's own settings (``portal.settings.PortalSettings``) extend this class, so the
PostgreSQL server both use is declared once.

Reading is lenient where it always was (a bad notification delay falls back to the default);
``DULIEUMO_MAX_PARALLEL`` is parsed by ``max_parallel`` only, which refuses a bad value with a
message naming the variable.

With ``DULIEUMO_SETTINGS_FROM=prefect`` each setting comes from Prefect first (a Secret block
for a secret, a variable otherwise, named after the environment variable) and from the
environment second: see ``dulieumo.prefect_values``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from dulieumo import prefect_values
from dulieumo.errors import TerminalError

#: the checkout holding this package (the default catalogue root)
REPO_ROOT = Path(__file__).resolve().parent.parent

DEFAULT_MAX_PARALLEL = 2
DEFAULT_RETRY_DELAYS = (2.0, 5.0, 15.0)
DEFAULT_NOTIFY_RETRY_DELAYS = (2.0, 10.0)
DEFAULT_NOTIFY_TIMEOUT_S = 10.0
DEFAULT_SMTP_PORT = 25
DEFAULT_LOST_RUN_AFTER_S = 600.0
DEFAULT_AGENCY_PORT = 8765

Delays = Annotated[tuple[float, ...], NoDecode]


def _delays(raw: Any, default: tuple[float, ...], limit: int) -> tuple[float, ...]:
    """ "2,10" → (2.0, 10.0); a value that does not parse gives the default."""
    if raw is None:
        return default
    if isinstance(raw, tuple | list):
        return tuple(float(x) for x in raw)[:limit]
    try:
        return tuple(max(0.0, float(x)) for x in str(raw).split(",") if x.strip())[:limit]
    except ValueError:
        return default


#: settings that are secrets although not typed SecretStr
_ALSO_SECRET = {"smtp_user"}


def env_name_of(name: str, info: FieldInfo) -> str:
    """The environment variable a setting is read from (CKAN_URL, DULIEUMO_SMTP_HOST, …)."""
    alias = info.validation_alias
    return alias if isinstance(alias, str) else f"DULIEUMO_{name.upper()}"


def is_secret(name: str, info: FieldInfo) -> bool:
    return info.annotation is SecretStr or name in _ALSO_SECRET


class _PrefectSource(PydanticBaseSettingsSource):
    """Settings from Prefect Secret blocks and variables (DULIEUMO_SETTINGS_FROM=prefect)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # everything is read in __call__

    def __call__(self) -> dict[str, Any]:
        if not prefect_values.enabled():
            return {}
        out: dict[str, Any] = {}
        for name, info in self.settings_cls.model_fields.items():
            env = env_name_of(name, info)
            value = (
                prefect_values.secret(env)
                if is_secret(name, info)
                else prefect_values.variable(env)
            )
            if value is not None:
                out[info.validation_alias if isinstance(info.validation_alias, str) else name] = (
                    value
                )
        return out


class Settings(BaseSettings):
    """The environment, read once per distinct environment (see ``settings()``)."""

    model_config = SettingsConfigDict(env_prefix="DULIEUMO_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Prefect first (when switched on), the environment as the fallback
        return (init_settings, _PrefectSource(settings_cls), env_settings)

    # where things are
    root: Path = Field(default=REPO_ROOT, description="DULIEUMO_ROOT: the catalogue")
    work_dir: Path = Field(
        default=REPO_ROOT / ".dulieumo", description="DULIEUMO_WORK_DIR: run folders, history"
    )
    source_dirs: str = Field(
        default="",
        description="DULIEUMO_SOURCE_DIRS: extra folders a file source may be read from "
        "(os.pathsep-separated)",
    )
    home: str = Field(
        default="",
        description="DULIEUMO_HOME: where the checkout is on every worker machine "
        "(the deployments' pull step; unset: this checkout)",
    )
    history_url: SecretStr = Field(
        default=SecretStr(""),
        description="DULIEUMO_HISTORY_URL: postgresql://… of the shared run history "
        "(unset: <work dir>/history/runs.jsonl on this machine)",
    )
    lock_ttl: str = Field(
        default="", description="DULIEUMO_LOCK_TTL: seconds a publication lock lasts unrenewed"
    )
    # the portal to publish to (unset: the local portal)
    ckan_url: str = Field(default="", validation_alias="CKAN_URL")
    ckan_api_token: SecretStr = Field(default=SecretStr(""), validation_alias="CKAN_API_TOKEN")
    # runs
    max_parallel: str = Field(
        default=str(DEFAULT_MAX_PARALLEL),
        description="DULIEUMO_MAX_PARALLEL, as written; parsed by max_parallel()",
    )
    retry_delays: Delays = DEFAULT_RETRY_DELAYS
    lost_run_after: float = Field(
        default=DEFAULT_LOST_RUN_AFTER_S,
        description="DULIEUMO_LOST_RUN_AFTER: seconds without a heartbeat before a run is "
        "marked crashed (its worker or machine lost); above PREFECT_FLOWS_HEARTBEAT_FREQUENCY",
    )
    # notifications
    notify_retry_delays: Delays = DEFAULT_NOTIFY_RETRY_DELAYS
    notify_timeout: float = DEFAULT_NOTIFY_TIMEOUT_S
    webhook_secret: SecretStr = SecretStr("")
    smtp_host: str = ""
    smtp_port: int = DEFAULT_SMTP_PORT
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = ""
    smtp_starttls: bool = False
    smtp_ca_file: str = ""
    # the PostgreSQL server of the local portal and of the sample agency database
    pg_host: str = "127.0.0.1"
    pg_port: int = 5432
    pg_superuser: str = "postgres"
    pg_superuser_password: str = ""
    # the sample agency server (samples/agency_server.py)
    agency_port: int = DEFAULT_AGENCY_PORT
    agency_db_url: str = ""

    @field_validator("retry_delays", mode="before")
    @classmethod
    def _retry_delays(cls, raw: Any) -> tuple[float, ...]:
        return _delays(raw, DEFAULT_RETRY_DELAYS, 20)

    @field_validator("notify_retry_delays", mode="before")
    @classmethod
    def _notify_retry_delays(cls, raw: Any) -> tuple[float, ...]:
        return _delays(raw, DEFAULT_NOTIFY_RETRY_DELAYS, 10)  # never more than 11 attempts

    @field_validator("notify_timeout", mode="before")
    @classmethod
    def _notify_timeout(cls, raw: Any) -> float:
        try:
            return max(0.5, float(raw))
        except (TypeError, ValueError):
            return DEFAULT_NOTIFY_TIMEOUT_S

    @field_validator("lost_run_after", mode="before")
    @classmethod
    def _lost_run_after(cls, raw: Any) -> float:
        try:
            return max(10.0, float(raw))  # Prefect's floor for such a trigger
        except (TypeError, ValueError):
            return DEFAULT_LOST_RUN_AFTER_S

    @field_validator("smtp_port", mode="before")
    @classmethod
    def _smtp_port(cls, raw: Any) -> int:
        try:
            return int(str(raw).strip() or DEFAULT_SMTP_PORT)
        except ValueError:
            return DEFAULT_SMTP_PORT

    @field_validator("smtp_starttls", mode="before")
    @classmethod
    def _flag(cls, raw: Any) -> bool:
        return str(raw).strip().lower() in ("1", "true", "yes", "on")

    @field_validator("agency_port", mode="before")
    @classmethod
    def _agency_port(cls, raw: Any) -> int:
        try:
            return int(str(raw).strip())
        except ValueError:
            return DEFAULT_AGENCY_PORT

    @field_validator("ckan_url", "smtp_host", "smtp_from", "smtp_ca_file", mode="before")
    @classmethod
    def _strip(cls, raw: Any) -> Any:
        return raw.strip() if isinstance(raw, str) else raw


def max_parallel(value: int | str | None = None) -> int:
    """How many datasets run at once: ``value`` (--max-parallel), else DULIEUMO_MAX_PARALLEL,
    else 2. A value that is not a whole number ≥ 1 is refused, naming the setting."""
    raw = value if value is not None else settings().max_parallel
    try:
        n = int(str(raw).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise TerminalError(
            f"DULIEUMO_MAX_PARALLEL / --max-parallel must be a whole number ≥ 1 (got {raw!r}).",
            hint="For example: export DULIEUMO_MAX_PARALLEL=2",
        )
    return n


def _environment() -> tuple[tuple[str, str], ...]:
    return tuple(
        sorted((k, v) for k, v in os.environ.items() if k.startswith(("DULIEUMO_", "CKAN_")))
    )


@lru_cache(maxsize=8)
def _read(environment: tuple[tuple[str, str], ...]) -> Settings:
    return Settings()


def settings() -> Settings:
    """The settings of the current environment: read once, again only if it changed (a test
    or the sample agency server may set a variable while the process runs)."""
    return _read(_environment())


def prefect_variables(*names: str) -> dict[str, str]:
    """Those of Prefect's own variables (``names``) the environment sets, empty ones too: for
    deciding, before Prefect is imported, what Prefect would do (flows/temporary_server.py)."""
    return {name: os.environ[name] for name in names if name in os.environ}


def prefect_environment() -> tuple[str | None, Path]:
    """Prefect's own variables that the pipeline reads before Prefect is imported:
    PREFECT_API_URL (None when unset or empty) and PREFECT_HOME (default ~/.prefect)."""
    url = os.environ.get("PREFECT_API_URL") or None
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect").expanduser()
    return url, home
