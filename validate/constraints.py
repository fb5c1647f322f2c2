"""One field's checks (required, type, constraints, unique) as masks of bad rows, and the
findings they become."""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .findings import Finding, Report
from .keys import not_first, row_numbers
from .messages import message
from .parse import matches, scalar_for, typed_column
from .schema import FieldSpec


def emit(
    report: Report,
    code: str,
    column: pa.Array,
    mask: pa.Array,
    spec: FieldSpec,
    file: str,
    offset: int = 0,
    **extra: Any,
) -> None:
    mask = pc.fill_null(mask, False)
    total = pc.sum(pc.cast(mask, pa.int64())).as_py() or 0
    if not total:
        return
    rows = row_numbers(mask, report.cap, offset)
    values = pc.filter(column, mask).slice(0, report.cap).to_pylist()
    details = dict(extra)
    if code == "type-error":
        details |= {"type": spec.type, "format": spec.format}
    samples = [
        Finding(
            code,
            message(
                code, row=r, field=spec.name, value=v, type=spec.type, format=spec.format, **extra
            ),
            file=file,
            row=r,
            field=spec.name,
            value=v,
            details=details,
        )
        for r, v in zip(rows, values, strict=True)
    ]
    report.add_count(code, "error", total, samples)


Check = tuple[str, pa.Array, dict[str, Any]]  # (code, mask of bad rows, message values)


def _constraints(column: pa.Array, typed: pa.Array, ok: pa.Array, spec: FieldSpec) -> list[Check]:
    """Constraint failures of the cells that are present and of the right type."""
    out: list[Check] = []
    c = spec.constraints
    t = spec.type
    if "enum" in c:
        allowed = [scalar_for(spec, v) for v in c["enum"]]
        value_set = pa.array([a.as_py() for a in allowed], typed.type)
        bad = pc.invert(pc.fill_null(pc.is_in(typed, value_set=value_set), False))
        out.append(
            ("constraint-enum", pc.and_(ok, bad), {"allowed": ", ".join(str(v) for v in c["enum"])})
        )
    if t in ("integer", "number", "year", "date", "datetime"):
        for key, code, op in (
            ("minimum", "constraint-minimum", pc.less),
            ("maximum", "constraint-maximum", pc.greater),
            ("exclusiveMinimum", "constraint-exclusive-minimum", pc.less_equal),
            ("exclusiveMaximum", "constraint-exclusive-maximum", pc.greater_equal),
        ):
            if key in c:
                bound = scalar_for(spec, c[key])
                out.append((code, pc.and_(ok, op(typed, bound)), {"bound": c[key]}))
    if t == "string":
        if "minLength" in c or "maxLength" in c:
            length = pc.utf8_length(column)
            if "minLength" in c:
                out.append(
                    (
                        "constraint-min-length",
                        pc.and_(ok, pc.less(length, c["minLength"])),
                        {"bound": c["minLength"]},
                    )
                )
            if "maxLength" in c:
                out.append(
                    (
                        "constraint-max-length",
                        pc.and_(ok, pc.greater(length, c["maxLength"])),
                        {"bound": c["maxLength"]},
                    )
                )
        if "pattern" in c:
            out.append(
                (
                    "constraint-pattern",
                    pc.and_(ok, pc.invert(_full_match(column, c["pattern"]))),
                    {"pattern": c["pattern"]},
                )
            )
    return out


def field_checks(
    spec: FieldSpec, col: pa.Array, present: pa.Array, filled: pa.Array
) -> tuple[pa.Array, pa.Array, list[Check]]:
    """Everything about one field: (ok, typed values, failed checks). Pure pyarrow compute,
    which releases the GIL, so fields are checked in parallel threads."""
    checks: list[Check] = []
    if spec.required:
        checks.append(("constraint-required", pc.and_(filled, pc.invert(present)), {}))
    ok, values = typed_column(col, spec)
    checks.append(("type-error", pc.and_(pc.is_valid(col), pc.invert(ok)), {}))
    checks += _constraints(col, values, ok, spec)
    if spec.constraints.get("unique"):
        checks.append(("unique-error", pc.and_(ok, not_first([values])), {}))
    return ok, values, checks


def _full_match(column: pa.Array, pattern: str) -> pa.Array:
    try:
        return matches(column, f"^(?:{pattern})$")
    except pa.ArrowInvalid:  # a construct RE2 lacks (look-around...): Python's re, row by row
        rx = re.compile(f"(?:{pattern})")
        return pa.array(
            [v is None or rx.fullmatch(v) is not None for v in column.to_pylist()], pa.bool_()
        )
