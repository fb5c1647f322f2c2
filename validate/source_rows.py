"""What pull noted about the agency's file (``dulieumo.tables.SourceNotes``), in the report.

- Row numbers: a finding's row is the row of the normalised CSV; the officer opens the
  agency's file, so every row (and the "dòng N" of the message) becomes the row the
  spreadsheet shows — the Excel row of an .xlsx, with the sheet's name.
- Total rows left out of the data: one ``total-row`` finding (a warning) for those the spec
  did not declare; a declared total that differs from the rows' sum: ``total-mismatch``.
- Cells whose invisible spaces were trimmed: ``stats.whitespace_trimmed``.
"""

from __future__ import annotations

import dataclasses
import re

from dulieumo.tables import SourceNotes

from .findings import Finding, Report
from .messages import message

_ROW = re.compile(r"([Dd]òng) (\d+)\b")


def apply_notes(report: Report, notes: SourceNotes | None, file: str) -> None:
    if notes is None:
        return
    if notes.runs or notes.sheet:
        report.findings = [_moved(f, notes) for f in report.findings]
    undeclared = [t for t in notes.total_rows if not t.get("declared")]
    if undeclared:
        first = undeclared[0]
        others = [str(t["row"]) for t in undeclared[1:]]
        more = f"; cũng vậy: dòng {', '.join(others)}" if others else ""
        text = message("total-row", row=first["row"], value=first["label"], more=more)
        report.add(
            Finding(
                "total-row",
                _with_sheet(text, notes.sheet),
                "warning",
                file,
                row=first["row"],
                value=first["label"],
                details={"rows": [t["row"] for t in undeclared], "sheet": notes.sheet},
            )
        )
    for check in notes.totals:
        if check.get("ok"):
            continue
        total = check.get("total") if check.get("total") is not None else "(trống)"
        text = message(
            "total-mismatch", row=check["row"], field=check["field"], value=total, sum=check["sum"]
        )
        report.add(
            Finding(
                "total-mismatch",
                _with_sheet(text, notes.sheet),
                "error",
                file,
                row=check["row"],
                field=check["field"],
                value=str(total),
                details={"sum": check["sum"], "sheet": notes.sheet},
            )
        )
    if notes.trimmed:
        report.stats["whitespace_trimmed"] = dict(sorted(notes.trimmed.items()))
        report.stats["whitespace_trimmed_cells"] = sum(notes.trimmed.values())


def _with_sheet(text: str, sheet: str | None) -> str:
    if not sheet:
        return text
    return _ROW.sub(lambda m: f"{m.group(0)} (trang tính «{sheet}»)", text, count=1)


def _moved(finding: Finding, notes: SourceNotes) -> Finding:
    if finding.row is None or finding.row < 2:
        return finding
    row = notes.source_row(finding.row)

    def renumber(m: re.Match[str]) -> str:
        n = int(m.group(2))
        if n != finding.row:
            return m.group(0)
        shown = f"{m.group(1)} {row}"
        return shown + (f" (trang tính «{notes.sheet}»)" if notes.sheet else "")

    text = _ROW.sub(renumber, finding.message, count=1)
    details = dict(finding.details)
    if notes.sheet:
        details["sheet"] = notes.sheet
    if row != finding.row:
        details["table_row"] = finding.row
    return dataclasses.replace(finding, row=row, message=text, details=details)
