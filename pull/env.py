"""``${VAR}`` and ``${VAR:-default}`` in a source's url, headers and SQL url.

Expanded when the source is pulled, from the environment of the run, so passwords and
tokens stay out of spec files. An unset variable (without a default) is a SpecError naming
the spec file and the field. Expanded values are secrets until proven otherwise: callers
show ``safe_url`` of a URL, never the expanded headers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from dulieumo.catalog.sources import VARIABLE
from dulieumo.errors import SpecError


def expand(
    value: str, *, spec_file: str, field: str, environ: Mapping[str, str] | None = None
) -> str:
    env = os.environ if environ is None else environ

    def one(match: object) -> str:
        name, default = match.group(1), match.group(2)  # type: ignore[attr-defined]
        found = env.get(name)
        if found is not None and (found != "" or default is None):
            return found
        if default is not None:
            return str(default)
        raise SpecError(
            f"{spec_file}: {field}: the environment variable {name} is not set.",
            hint=f"Set {name} in the environment of the run (e.g. export {name}=...), or "
            f"write ${{{name}:-default}} in the spec.",
            file=spec_file,
            field=field,
        )

    return VARIABLE.sub(one, value)


def expand_headers(
    headers: Mapping[str, str], *, spec_file: str, field: str = "source.headers"
) -> dict[str, str]:
    return {k: expand(v, spec_file=spec_file, field=f"{field}.{k}") for k, v in headers.items()}
