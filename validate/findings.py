"""Findings are values: a stable code, a severity, a location, a Vietnamese message.

A Report keeps the full count of every code but only a capped sample of findings per code,
so a million bad rows do not make a million-line report.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

SAMPLE_CAP = 100

#: our finer codes → frictionless' codes (for parity with `frictionless validate`)
FRICTIONLESS_CODE = {
    "constraint-required": "constraint-error",
    "constraint-minimum": "constraint-error",
    "constraint-maximum": "constraint-error",
    "constraint-min-length": "constraint-error",
    "constraint-max-length": "constraint-error",
    "constraint-pattern": "constraint-error",
    "constraint-enum": "constraint-error",
}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str  # Vietnamese
    severity: str = "error"  # error | warning
    file: str | None = None
    row: int | None = None  # header is row 1, like frictionless
    field: str | None = None
    value: str | None = None
    details: dict[str, Any] = dc_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["message"] = unicodedata.normalize("NFC", self.message)
        return d


@dataclass
class Report:
    dataset: str
    file: str
    rows: int = 0
    findings: list[Finding] = dc_field(default_factory=list)
    counts: Counter[str] = dc_field(default_factory=Counter)
    severities: dict[str, str] = dc_field(default_factory=dict)
    cap: int = SAMPLE_CAP
    stats: dict[str, Any] = dc_field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        self.counts[finding.code] += 1
        if finding.severity == "error" or finding.code not in self.severities:
            self.severities[finding.code] = finding.severity
        if self.counts[finding.code] <= self.cap:
            self.findings.append(finding)

    def add_count(self, code: str, severity: str, total: int,
                  samples: list[Finding]) -> None:
        """Record `total` findings of one code at once, keeping at most `cap` samples."""
        if total <= 0:
            return
        kept = max(0, self.cap - self.counts[code])
        self.counts[code] += total
        if severity == "error" or code not in self.severities:
            self.severities[code] = severity
        self.findings.extend(samples[:kept])

    @property
    def error_count(self) -> int:
        return sum(n for code, n in self.counts.items() if self.severities.get(code) == "error")

    @property
    def warning_count(self) -> int:
        return sum(n for code, n in self.counts.items()
                   if self.severities.get(code) == "warning")

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.row or 0, f.field or "", f.code))

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "file": self.file,
            "ok": self.ok,
            "rows": self.rows,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "counts": dict(sorted(self.counts.items())),
            "severities": dict(sorted(self.severities.items())),
            "sample_cap": self.cap,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }

    def write_json(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)
                        + "\n", encoding="utf-8")
        return path
