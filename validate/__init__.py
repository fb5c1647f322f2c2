"""Validate: Table Schema checks (vectorised) + the GX suite → one Report of Findings."""

from .findings import Finding, Report
from .stage import typed_frame, validate_table

__all__ = ["Finding", "Report", "typed_frame", "validate_table"]
