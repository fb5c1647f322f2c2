"""Indicators for the province's leadership (KPI report): `dulieumo report --period 2026-11`.

data = build_report(parse_period("2026-11"), catalog, records, portal_counts)
write_report(data, out_dir, province, site_title) → (html_path, json_path)
"""

from .build import build_report, portal_dataset_counts, write_report
from .indicators import compute
from .period import Period, parse_period

__all__ = [
    "Period",
    "build_report",
    "compute",
    "parse_period",
    "portal_dataset_counts",
    "write_report",
]
