"""Settings and secrets kept in Prefect, for installations with several worker machines.

With ``DULIEUMO_SETTINGS_FROM=prefect`` (in the environment of each worker and CLI), every
setting is looked up in Prefect first and in the environment second:

- a secret (``CKAN_API_TOKEN``, ``DULIEUMO_SMTP_USER``, ``DULIEUMO_SMTP_PASSWORD``,
  ``DULIEUMO_WEBHOOK_SECRET``, ``DULIEUMO_HISTORY_URL``, and every ``${VAR}`` a spec's source
  names, such as an agency's token) from the **Secret block** named after the variable,
  lower-case with dashes: ``CKAN_API_TOKEN`` → ``ckan-api-token``, ``SO_Y_TE_TOKEN`` →
  ``so-y-te-token``;
- any other setting from the **Prefect variable** named after it in lower case:
  ``CKAN_URL`` → ``ckan_url``, ``DULIEUMO_SMTP_HOST`` → ``dulieumo_smtp_host``.

A block or variable that does not exist falls back to the environment. Values are read once
per process (a flow run is one). Without the switch (the default) nothing asks Prefect.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

from dulieumo.errors import TransientError

SWITCH = "DULIEUMO_SETTINGS_FROM"


class PrefectSettingsUnavailable(TransientError):
    """DULIEUMO_SETTINGS_FROM=prefect, and the Prefect API does not answer."""

    code = "prefect-unavailable"


def enabled() -> bool:
    return os.environ.get(SWITCH, "").strip().lower() == "prefect"


def block_name(env_name: str) -> str:
    return env_name.strip().lower().replace("_", "-")


def variable_name(env_name: str) -> str:
    return env_name.strip().lower()


def _unavailable(exc: Exception) -> PrefectSettingsUnavailable:
    return PrefectSettingsUnavailable(
        f"{SWITCH}=prefect, but Prefect's API could not be read ({type(exc).__name__}).",
        hint="Check PREFECT_API_URL on this machine, or unset "
        f"{SWITCH} to read settings from the environment only.",
    )


@lru_cache(maxsize=256)
def secret(env_name: str) -> str | None:
    """The Secret block named after ``env_name``; None when there is none."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            doc = client.read_block_document_by_name(block_name(env_name), "secret")
    except ObjectNotFound:
        return None
    except Exception as exc:
        raise _unavailable(exc) from None
    value: Any = (doc.data or {}).get("value")
    if hasattr(value, "get_secret_value"):
        value = value.get_secret_value()
    return None if value is None else str(value)


@lru_cache(maxsize=1)
def _variables() -> dict[str, str]:
    from prefect import get_client

    try:
        with get_client(sync_client=True) as client:
            return {v.name: str(v.value) for v in client.read_variables() if v.value is not None}
    except Exception as exc:
        raise _unavailable(exc) from None


def variable(env_name: str) -> str | None:
    """The Prefect variable named after ``env_name``; None when there is none."""
    return _variables().get(variable_name(env_name))


def lookup(env_name: str, *, is_secret: bool) -> str | None:
    """Prefect first (when enabled), then the environment."""
    if enabled():
        found = secret(env_name) if is_secret else variable(env_name)
        if found is not None:
            return found
    return os.environ.get(env_name)


def forget() -> None:
    """Read Prefect again on the next lookup (tests; a long-lived process after a change)."""
    secret.cache_clear()
    _variables.cache_clear()
