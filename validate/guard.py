"""Personal-data guard: nothing that identifies a person reaches the portal by accident.

Text fields are scanned (vectorised, RE2 through ``pyarrow.compute``) for:

- ``pii-cccd``      a 12-digit citizen identity number (CCCD), first three digits a province
                    code (001-096);
- ``pii-cmnd``      a 9-digit identity card number (CMND);
- ``pii-mobile``    a Vietnamese mobile number: 03x/05x/07x/08x/09x + 7 digits, or +84 / 84;
- ``pii-landline``  a landline number: 02xx + 7 digits (e.g. 0203 3 835 123), or +84 2xx …;
- ``pii-email``     an e-mail address.

Numbers count only as whole runs of digits (a 12-digit number inside a 14-digit one is not a
CCCD). A field **declared as a code** in the schema — it has a ``pattern`` constraint, it is
(part of) the primary key or a foreign key, or its name says so (``ma_…``, ``…_code``,
``…_id``) — holds identifiers of things, not people: it is not scanned for numbers (a 10-digit
enterprise code or a 12-digit facility code is not a CCCD), only for e-mail addresses.

For datasets declared ``quality.aggregate``, a count below the suppression threshold (but
above zero) is ``pii-small-count``: small cells can identify the people counted.

Every finding is an error (it blocks publication) unless ``quality.pii_allow`` lists the
field. Offending values are masked in findings and reports (``09******78``, ``n***@gmail.com``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dulieumo.catalog.quality import QualitySpec
from dulieumo.errors import SpecError, SpecProblem

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema

if TYPE_CHECKING:
    import pyarrow as pa

_SEP = r"[ .\-]?"
#: (code, RE2 pattern searched in the cell, human kind) — order matters for masking only
PATTERNS: tuple[tuple[str, str], ...] = (
    ("pii-email", r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"),
    (
        "pii-mobile",
        rf"(?:^|[^0-9+])(?:0|\+84{_SEP}|84{_SEP})[35789][0-9](?:{_SEP}[0-9]){{7}}"
        r"(?:$|[^0-9])",
    ),
    (
        "pii-landline",
        rf"(?:^|[^0-9+])(?:0|\+84{_SEP}|84{_SEP})2[0-9]{{2}}(?:{_SEP}[0-9]){{7}}"
        r"(?:$|[^0-9])",
    ),
    ("pii-cccd", r"(?:^|[^0-9])0(?:0[1-9]|[1-8][0-9]|9[0-6])[0-9]{9}(?:$|[^0-9])"),
    ("pii-cmnd", r"(?:^|[^0-9])[0-9]{9}(?:$|[^0-9])"),
)
NUMBER_CODES = ("pii-mobile", "pii-landline", "pii-cccd", "pii-cmnd")
PII_CODES = (*(code for code, _ in PATTERNS), "pii-small-count")
_CODE_NAME = re.compile(r"^(ma|so_hieu|id)(_|$)|(_code|_id|_ma)$|^code(_|$)", re.IGNORECASE)
_PY = {
    code: re.compile(
        rx.replace("(?:^|[^0-9+])", r"(?<![0-9+])")
        .replace("(?:^|[^0-9])", r"(?<![0-9])")
        .replace("(?:$|[^0-9])", r"(?![0-9])")
    )
    for code, rx in PATTERNS
}


@dataclass(frozen=True)
class GuardPlan:
    """Which fields are scanned for what, decided from the schema and the spec."""

    text_fields: tuple[str, ...]  # scanned for every kind
    code_fields: tuple[str, ...]  # declared codes: scanned for e-mail only
    allowed: tuple[str, ...]
    count_fields: tuple[str, ...] = ()
    threshold: int = 0


def is_declared_code(schema: TableSchema, name: str) -> bool:
    """The schema says this field holds an identifier of a thing (not of a person)."""
    spec = schema.field(name)
    if spec.constraints.get("pattern") or _CODE_NAME.search(name):
        return True
    keyed = set(schema.primary_key) | {f for fk in schema.foreign_keys for f in fk.fields}
    return name in keyed


def plan(schema: TableSchema, quality: QualitySpec | None, *, where: str = "quality") -> GuardPlan:
    """Check `quality` against the schema (SpecError naming the bad key) and plan the scan."""
    quality = quality or QualitySpec()
    names = schema.names
    # the spec file is the caller's to name (catalog check, the flow)
    problems = [
        SpecProblem(
            "",
            f"{where}.pii_allow",
            f"'{f}' is not a field of the schema (fields: {', '.join(names)})",
        )
        for f in quality.pii_allow
        if f not in names
    ]
    count_fields: tuple[str, ...] = ()
    threshold = 0
    if quality.aggregate is not None:
        for f in quality.aggregate.count_fields:
            if f not in names:
                problems.append(
                    SpecProblem(
                        "", f"{where}.aggregate.count_fields", f"'{f}' is not a field of the schema"
                    )
                )
            elif schema.field(f).type not in ("integer", "number"):
                problems.append(
                    SpecProblem(
                        "",
                        f"{where}.aggregate.count_fields",
                        f"'{f}' is a {schema.field(f).type} field, not a count (integer)",
                    )
                )
        count_fields = tuple(quality.aggregate.count_fields)
        threshold = quality.aggregate.suppression_threshold
    if problems:
        raise SpecError.of(problems, hint="Fix the `quality:` key of the dataset spec.")
    allowed = tuple(quality.pii_allow)
    text = [f.name for f in schema.fields if f.type in ("string", "any") and f.name not in allowed]
    codes = tuple(n for n in text if is_declared_code(schema, n))
    return GuardPlan(
        tuple(n for n in text if n not in codes), codes, allowed, count_fields, threshold
    )


def redact(value: str) -> str:
    """`value` with any personal datum masked (unchanged when it holds none)."""
    return mask(value, "pii-small-count")


def mask(value: str, code: str) -> str:
    """The cell with every personal datum in it masked (kept: the shape, 2 digits at each end
    of a number, the first letter and the domain of an e-mail)."""

    def _number(m: re.Match[str]) -> str:
        s = m.group(0)
        digits = [i for i, ch in enumerate(s) if ch.isdigit()]
        keep = set(digits[:2] + digits[-2:])
        return "".join(ch if not ch.isdigit() or i in keep else "*" for i, ch in enumerate(s))

    def _email(m: re.Match[str]) -> str:
        local, _, domain = m.group(0).partition("@")
        return f"{local[:1]}***@{domain}"

    out = value
    for kind, rx in _PY.items():
        out = rx.sub(_email if kind == "pii-email" else _number, out)
    if out == value and code != "pii-small-count":  # should not happen: hide it all
        out = "*" * len(value)
    return out


def scan(
    columns: dict[str, pa.Array],
    gplan: GuardPlan,
    report: Report,
    *,
    file: str,
    typed: dict[str, pa.Array] | None = None,
    row_offset: int = 0,
) -> None:
    """Add the guard's findings for `columns` (schema field → strings, nulls for missing)."""
    import pyarrow as pa  # on the validation path only (the stage has it loaded)
    import pyarrow.compute as pc

    for name in (*gplan.text_fields, *gplan.code_fields):
        col = columns.get(name)
        if col is None or col.null_count == len(col):
            continue
        kinds = PATTERNS if name in gplan.text_fields else PATTERNS[:1]
        taken = None  # a cell is reported under its first matching kind only
        for code, rx in kinds:
            hit = pc.fill_null(pc.match_substring_regex(col, rx), False)
            if taken is not None:
                hit = pc.and_(hit, pc.invert(taken))
            total = pc.sum(pc.cast(hit, pa.int64())).as_py() or 0
            if not total:
                continue
            taken = hit if taken is None else pc.or_(taken, hit)
            _emit(report, code, name, col, hit, total, file, row_offset)
    for name in gplan.count_fields:
        values = (typed or {}).get(name)
        if values is None:
            continue
        small = pc.fill_null(
            pc.and_(pc.greater(values, 0), pc.less(values, gplan.threshold)), False
        )
        total = pc.sum(pc.cast(small, pa.int64())).as_py() or 0
        if total:
            _emit(
                report,
                "pii-small-count",
                name,
                pc.cast(values, pa.string()),
                small,
                total,
                file,
                row_offset,
                threshold=gplan.threshold,
            )


def _emit(
    report: Report,
    code: str,
    name: str,
    col: pa.Array,
    hit: pa.Array,
    total: int,
    file: str,
    row_offset: int,
    **extra: Any,
) -> None:
    import pyarrow.compute as pc

    already = report.kept(code)
    room = max(report.cap - already, 0)
    idx = pc.indices_nonzero(hit).slice(0, room)
    rows = [i + 2 + row_offset for i in idx.to_pylist()]
    values = pc.take(col, idx).to_pylist() if room else []
    samples = []
    for r, v in zip(rows, values, strict=True):
        shown = str(v) if code == "pii-small-count" else mask(str(v), code)
        samples.append(
            Finding(
                code,
                message(code, row=r, field=name, value=shown, **extra),
                "error",
                file,
                r,
                name,
                shown,
                {"masked": code != "pii-small-count", **extra},
            )
        )
    report.add_count(code, "error", total, samples)
