"""Validate: Table Schema checks (vectorised) + the GX suite → one Report of Findings.

The stage's functions (numpy, pandas, pyarrow, Great Expectations behind them) are imported
when first used, so that a run that stops before validating (inputs unchanged) loads none of
them: ``from validate import validate_table`` works as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .findings import Finding, Report
from .previous import LastRelease, PreviousRelease, ReferencedRelease

if TYPE_CHECKING:
    from .stage import load_codelists, typed_frame, validate_table, validate_with

_STAGE = ("load_codelists", "typed_frame", "validate_table", "validate_with")

__all__ = [
    "Finding",
    "LastRelease",
    "PreviousRelease",
    "ReferencedRelease",
    "Report",
    "load_codelists",
    "typed_frame",
    "validate_table",
    "validate_with",
]


def preload() -> None:
    """Import the stage's libraries now (Great Expectations ~2 s), e.g. while the command
    waits for a server to boot, so that validating later does not wait for them."""
    import importlib

    from . import stage, suite  # noqa: F401  (suite: GX's settings before GX is imported)

    importlib.import_module("great_expectations")


def __getattr__(name: str) -> Any:
    if name in _STAGE:
        from . import stage

        return getattr(stage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
