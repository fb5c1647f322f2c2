"""Cross-release checks: the source's columns against the schema, the row count against the
last release.

- ``schema-drift`` (error): one finding naming the columns the source added, dropped or
  renamed (a dropped and an added column that look alike — same letters without diacritics,
  case or separators, or very similar — are reported as a rename ``old → new``). The
  per-column ``missing-label``/``extra-label`` findings stay (frictionless parity).
- ``row-count-drift`` (error): ``|rows - previous| / previous`` beyond
  ``quality.row_count_tolerance``; the previous count is the latest release's, read from the
  portal before anything is written, by the flow (``validate.previous.PreviousRelease``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from typing import Any

from .findings import Finding, Report
from .messages import message


def _fold(name: str) -> str:
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def column_drift(header: list[str], names: list[str]) -> dict[str, Any]:
    """{"missing": [...], "extra": [...], "renamed": [[schema name, source name], ...]}."""
    labels = [h for h in header if h.strip()]
    missing = [n for n in names if n not in labels]
    extra = [h for h in labels if h not in names]
    renamed: list[list[str]] = []
    for name in list(missing):
        best, score = None, 0.0
        for label in extra:
            s = (
                1.0
                if _fold(label) == _fold(name)
                else difflib.SequenceMatcher(None, _fold(label), _fold(name)).ratio()
            )
            if s > score:
                best, score = label, s
        if best is not None and score >= 0.75:
            renamed.append([name, best])
            missing.remove(name)
            extra.remove(best)
    return {"missing": missing, "extra": extra, "renamed": renamed}


def check_columns(header: list[str], names: list[str], report: Report, *, file: str) -> None:
    drift = column_drift(header, names)
    if not any(drift.values()):
        return
    parts = []
    if drift["renamed"]:
        parts.append("đổi tên " + ", ".join(f"«{a}» → «{b}»" for a, b in drift["renamed"]))
    if drift["missing"]:
        parts.append("thiếu " + ", ".join(f"«{c}»" for c in drift["missing"]))
    if drift["extra"]:
        parts.append("thừa " + ", ".join(f"«{c}»" for c in drift["extra"]))
    summary = "; ".join(parts)
    fields = [*drift["missing"], *(a for a, _ in drift["renamed"]), *drift["extra"]]
    report.add(
        Finding(
            "schema-drift",
            message("schema-drift", summary=summary),
            "error",
            file,
            1,
            ", ".join(fields),
            summary,
            drift,
        )
    )


def check_row_count(
    report: Report,
    previous: int | None,
    tolerance: float | None,
    *,
    version: str | None = None,
    file: str | None = None,
) -> None:
    """Add `row-count-drift` when the change from `previous` exceeds `tolerance`."""
    if tolerance is None or previous is None:
        return
    rows = report.rows
    change = abs(rows - previous) / previous if previous else (0.0 if rows == 0 else 1.0)
    report.stats["row_count"] = {
        "rows": rows,
        "previous": previous,
        "version": version,
        "change": round(change, 4),
        "tolerance": tolerance,
    }
    if change <= tolerance:
        return
    report.add(
        Finding(
            "row-count-drift",
            message(
                "row-count-drift",
                rows=rows,
                previous=previous,
                version=version or "?",
                change_pct=round(change * 100, 1),
                tolerance_pct=round(tolerance * 100, 1),
            ),
            "error",
            file,
            None,
            None,
            str(rows),
            {
                "rows": rows,
                "previous": previous,
                "version": version,
                "change": round(change, 4),
                "tolerance": tolerance,
            },
        )
    )
