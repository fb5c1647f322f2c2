"""``${VAR}`` and ``${VAR:-default}`` in a source's url, headers and SQL url.

Expanded when the source is pulled, from the environment of the run — or first from the
Prefect Secret block named after the variable (``SO_Y_TE_TOKEN`` → ``so-y-te-token``) when
``DULIEUMO_SETTINGS_FROM=prefect`` — so passwords and tokens stay out of spec files. An
unset variable (without a default) is a SpecError naming
the spec file and the field. Expanded values are secrets until proven otherwise: callers
show ``safe_url`` of a URL, never the expanded headers.
"""

from __future__ import annotations

from collections.abc import Mapping

from dulieumo import prefect_values
from dulieumo.catalog.sources import VARIABLE
from dulieumo.errors import SpecError


def expand(
    value: str, *, spec_file: str, field: str, environ: Mapping[str, str] | None = None
) -> str:
    def get(name: str) -> str | None:
        if environ is not None:
            return environ.get(name)
        return prefect_values.lookup(name, is_secret=True)  # Prefect first, when switched on

    def one(match: object) -> str:
        name, default = match.group(1), match.group(2)  # type: ignore[attr-defined]
        found = get(name)
        if found is not None and (found != "" or default is None):
            return found
        if default is not None:
            return str(default)
        raise SpecError(
            f"{spec_file}: {field}: the environment variable {name} is not set.",
            hint=f"Set {name} in the environment of the run (e.g. export {name}=...), or the "
            f"Prefect Secret block {prefect_values.block_name(name)} with "
            f"DULIEUMO_SETTINGS_FROM=prefect, or write ${{{name}:-default}} in the spec.",
            file=spec_file,
            field=field,
        )

    return VARIABLE.sub(one, value)


def expand_headers(
    headers: Mapping[str, str], *, spec_file: str, field: str = "source.headers"
) -> dict[str, str]:
    return {k: expand(v, spec_file=spec_file, field=f"{field}.{k}") for k, v in headers.items()}
