"""Validate: Table Schema checks (vectorised) + the GX suite → one Report of Findings."""

from .findings import Finding, Report
from .previous import LastRelease, PreviousRelease, ReferencedRelease
from .stage import load_codelists, typed_frame, validate_table, validate_with

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
