"""Findings are values: a stable code, a severity, a location, a Vietnamese message.

A Report keeps the full count of every code but only a capped sample of findings per code,
so a million bad rows do not make a million-line report.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, fields
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from dulieumo.redact import mask_data

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
    "constraint-exclusive-minimum": "constraint-error",
    "constraint-exclusive-maximum": "constraint-error",
}
#: codes whose frictionless error names no single field (row-level errors)
ROW_LEVEL = {"primary-key", "foreign-key", "blank-row", "extra-cell"}
SEVERITIES = ("error", "warning")
#: our own checks, which frictionless does not make (left out of parity comparisons)
OWN_PREFIXES = (
    "expectation-",
    "suite-",
    "pii-",
    "formula-",
    "schema-drift",
    "row-count-",
    "line-too-long",
)


def checked_by_frictionless(code: str) -> bool:
    return not code.startswith(OWN_PREFIXES)


def frictionless_code(code: str) -> str:
    """The frictionless error type our code corresponds to (``constraint-min-length`` →
    ``constraint-error``; most codes are the same)."""
    return FRICTIONLESS_CODE.get(code, code)


def parity_key(code: str, row: int | None, field: str | None) -> tuple[int | None, str | None, str]:
    """(row, field, frictionless code) — how a finding is compared with frictionless."""
    return (row, None if code in ROW_LEVEL or not field else field, frictionless_code(code))


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

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {self.severity!r}")
        object.__setattr__(self, "message", unicodedata.normalize("NFC", self.message))
        if self.value is not None:
            object.__setattr__(self, "value", unicodedata.normalize("NFC", str(self.value)))

    @property
    def parity_key(self) -> tuple[int | None, str | None, str]:
        return parity_key(self.code, self.row, self.field)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["message"] = unicodedata.normalize("NFC", self.message)
        return d


@dataclass
class Report:
    """All findings of one validation run.

    ``counts`` holds the full number of findings per code; ``findings`` keeps at most ``cap``
    samples per code (per code *and expectation* for ``expectation-failed``, so one noisy rule
    does not hide the others). ``error_counts``/``warning_counts`` split the counts by
    severity (a GX rule may be a warning while another is an error)."""

    dataset: str
    file: str
    rows: int = 0
    findings: list[Finding] = dc_field(default_factory=list)
    counts: Counter[str] = dc_field(default_factory=Counter)
    error_counts: Counter[str] = dc_field(default_factory=Counter)
    warning_counts: Counter[str] = dc_field(default_factory=Counter)
    cap: int = SAMPLE_CAP
    stats: dict[str, Any] = dc_field(default_factory=dict)
    #: (field, code) → count, for findings located in one field
    field_counts: Counter[tuple[str, str]] = dc_field(default_factory=Counter)
    _kept: Counter[str] = dc_field(default_factory=Counter, repr=False)

    @staticmethod
    def _cap_key(finding: Finding) -> str:
        index = finding.details.get("index") if finding.code.startswith("expectation") else None
        return finding.code if index is None else f"{finding.code}#{index}"

    def add(self, finding: Finding) -> None:
        self.add_count(finding.code, finding.severity, 1, [finding])

    def add_count(self, code: str, severity: str, total: int, samples: list[Finding]) -> None:
        """Record `total` findings of one code and severity at once, keeping at most `cap`
        samples of the code."""
        if total <= 0:
            return
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, not {severity!r}")
        self.counts[code] += total
        located = {f.field for f in samples}
        if len(located) == 1 and (name := next(iter(located))):
            self.field_counts[(name, code)] += total
        (self.error_counts if severity == "error" else self.warning_counts)[code] += total
        for finding in samples:
            key = self._cap_key(finding)
            if self._kept[key] < self.cap:
                self._kept[key] += 1
                self.findings.append(finding)

    def kept(self, key: str) -> int:
        """How many samples of `key` (a code) the report already keeps."""
        return self._kept[key]

    @property
    def severities(self) -> dict[str, str]:
        """code → "error" if any finding of the code is an error, else "warning"."""
        return {code: "error" if self.error_counts[code] else "warning" for code in self.counts}

    @property
    def error_count(self) -> int:
        return sum(self.error_counts.values())

    @property
    def warning_count(self) -> int:
        return sum(self.warning_counts.values())

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def by_field(self) -> dict[str, dict[str, int]]:
        """field → {code: count}: where the findings are, column by column."""
        out: dict[str, dict[str, int]] = {}
        for (name, code), n in sorted(self.field_counts.items()):
            out.setdefault(name, {})[code] = n
        return out

    def groups(self) -> list[dict[str, Any]]:
        """One group per code: severity, total, Vietnamese title, the capped samples."""
        from .messages import title

        out = []
        for code in sorted(self.counts, key=lambda c: (self.severities[c] != "error", c)):
            samples = [f for f in self.sorted_findings() if f.code == code]
            out.append(
                {
                    "code": code,
                    "title": title(code),
                    "severity": self.severities[code],
                    "count": self.counts[code],
                    "shown": len(samples),
                    "samples": samples,
                }
            )
        return out

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]

    def sorted_findings(self) -> list[Finding]:
        return sorted(self.findings, key=lambda f: (f.row or 0, f.field or "", f.code))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data, every credential it quotes masked (dulieumo.redact)."""
        return mask_data(self._as_dict())

    def _as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "file": self.file,
            "ok": self.ok,
            "rows": self.rows,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "counts": dict(sorted(self.counts.items())),
            "error_counts": dict(sorted((k, v) for k, v in self.error_counts.items() if v)),
            "warning_counts": dict(sorted((k, v) for k, v in self.warning_counts.items() if v)),
            "severities": dict(sorted(self.severities.items())),
            "groups": [{k: v for k, v in g.items() if k != "samples"} for g in self.groups()],
            "by_field": self.by_field(),
            "sample_cap": self.cap,
            "stats": self.stats,
            "findings": [f.to_dict() for f in self.sorted_findings()],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """A report read back from its JSON (e.g. an earlier release's)."""
        rep = cls(
            str(data.get("dataset", "")),
            str(data.get("file", "")),
            int(data.get("rows", 0) or 0),
            cap=int(data.get("sample_cap", SAMPLE_CAP)),
            stats=dict(data.get("stats", {})),
        )
        names = {f.name for f in fields(Finding)}
        rep.findings = [
            Finding(**{k: v for k, v in f.items() if k in names})
            for f in data.get("findings", [])
            if isinstance(f, dict)
        ]
        counts = dict(data.get("counts", {}))
        errors = dict(data.get("error_counts", {}))
        warnings = dict(data.get("warning_counts", {}))
        if not errors and not warnings:  # an older summary: counts only
            errors = counts if not data.get("ok", True) else {}
            warnings = {} if errors else counts
        rep.counts.update(counts)
        rep.error_counts.update(errors)
        rep.warning_counts.update(warnings)
        for name, codes in (data.get("by_field") or {}).items():
            for code, n in codes.items():
                rep.field_counts[(name, code)] = n
        return rep

    def write_json(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str)
        path.write_text(unicodedata.normalize("NFC", text) + "\n", encoding="utf-8")
        return path
