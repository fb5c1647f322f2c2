"""Validate: Table Schema checks (vectorised) + the GX suite → one Report of Findings."""

from .findings import Finding, Report
from .stage import load_codelists, typed_frame, validate_table, validate_with

__all__ = ["Finding", "Report", "load_codelists", "typed_frame", "validate_table", "validate_with"]
