"""Cells to typed values, column-wise with ``pyarrow.compute``, as frictionless (Python's
``int``/``Decimal``/``strptime``) reads them: which cells are of the field's type, and their
typed values."""

from __future__ import annotations

import _strptime  # the regular expressions Python's own strptime uses
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .schema import FieldSpec

_DIGITS = r"[0-9]+(?:_[0-9]+)*"


INT_RE = rf"^\s*[+-]?{_DIGITS}\s*$"


NUM_RE = (
    rf"^\s*[+-]?(?:(?:{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})(?:[eE][+-]?{_DIGITS})?"
    r"|(?i:inf|infinity|s?nan[0-9]*))\s*$"
)


YEAR_RE = rf"^\s*\+?{_DIGITS}\s*$"


DATETIME_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]+)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?$"
)


def matches(column: pa.Array, pattern: str) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(column, pattern), False)


def where(mask: pa.Array, values: pa.Array) -> pa.Array:
    return pc.if_else(mask, values, pa.scalar(None, values.type))


def _number_text(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    """Text Python's Decimal()/int() would read, as frictionless prepares it; (text, ok)."""
    text = pc.utf8_trim_whitespace(column)
    ok = pc.is_valid(text)
    if not spec.bare_number:
        text = pc.replace_substring_regex(text, r"^[^-0-9]*", "")
        text = pc.replace_substring_regex(text, r"[^0-9]*$", "")
    if spec.type == "number" and spec.number_processed:
        if spec.group_char:
            text = pc.replace_substring(text, spec.group_char, "")
        if spec.decimal_char != ".":
            ok = pc.and_(ok, pc.invert(pc.match_substring(text, ".")))
            text = pc.replace_substring(text, spec.decimal_char, ".")
    return text, ok


def _strptime_shape(fmt: str) -> str:
    """The regular expression Python's strptime matches for `fmt` (RE2-compatible)."""
    pattern: str = _strptime._TimeRE_cache.pattern(fmt)
    return f"^(?i:{pattern})$"


def _parse_dates(column: pa.Array, fmt: str) -> tuple[pa.Array, pa.Array]:
    """(ok, timestamps): the text has strptime's shape and names a real calendar day.

    pyarrow's strptime rolls 31/02 over to 02/03 (Python's rejects it), so the day of month
    in the text is compared with the parsed day (formatting back with strftime is ~20x
    slower)."""
    try:
        shape_rx = _strptime_shape(fmt)
        shape = matches(column, shape_rx)
    except (pa.ArrowInvalid, re.error, KeyError, ValueError):
        shape_rx, shape = "", pc.is_valid(column)
    text = where(shape, column)
    parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
    ok = pc.and_(shape, pc.is_valid(parsed))
    ok = pc.fill_null(ok, False)
    if shape_rx and "%d" in fmt:
        ok = pc.and_(ok, pc.invert(_rolled_over(text, parsed, fmt)))
    return ok, where(ok, parsed)


def _rolled_over(text: pa.Array, parsed: pa.Array, fmt: str) -> pa.Array:
    """Rows whose day of month in the text is not the parsed day (31/02 → 02/03). A rolled
    date lands on day 1-3 of the next month, so only those rows are looked at again."""
    parsed_day = pc.day(parsed)
    candidates = pc.indices_nonzero(pc.fill_null(pc.less_equal(parsed_day, 3), False))
    bad = np.zeros(len(text), dtype=bool)
    if len(candidates):
        prefix = _strptime._TimeRE_cache.pattern(fmt[: fmt.index("%d") + 2])
        parts = pc.extract_regex(pc.take(text, candidates), f"^(?i:{prefix})")
        day = pc.cast(pc.utf8_trim_whitespace(pc.struct_field(parts, "d")), pa.int64())
        differs = pc.fill_null(pc.not_equal(day, pc.take(parsed_day, candidates)), False)
        bad[pc.filter(candidates, differs).to_numpy()] = True
    return pa.array(bad)


def typed_column(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    """(ok, typed): ok is true where the value is present and of the field's type; typed holds
    the values with the field's type (null where absent or invalid)."""
    t = spec.type
    present = pc.is_valid(column)
    if t in ("string", "any"):
        return present, column
    if t in ("integer", "number") and not spec.number_processed:
        # most cells are plain ("12", "-3.5"): cast those at once; only the others go through
        # the slower Python-compatible path (spaces, 1_000, 1e3, nan...)
        out_type = pa.int64() if t == "integer" else pa.float64()
        try:  # a clean column (the usual case) casts in one go, no regular expression
            typed = pc.cast(column, out_type)
            # pyarrow reads "0x1F" as an integer, Python's int() does not
            if (
                t == "number"
                or not pc.any(pc.match_substring(column, "x", ignore_case=True)).as_py()
            ):
                return present, typed
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        simple_rx = r"^-?[0-9]{1,18}$" if t == "integer" else r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
        simple = matches(column, simple_rx)
        typed = pc.cast(where(simple, column), out_type)
        rest = pc.and_(present, pc.invert(simple))
        if not pc.any(rest).as_py():
            return simple, typed
        rest_ok, rest_typed = _typed_slow(pc.filter(column, rest), spec)
        ok = pc.replace_with_mask(simple, rest, rest_ok)
        return ok, pc.replace_with_mask(typed, rest, pc.cast(rest_typed, out_type))
    return _typed_slow(column, spec)


def _typed_slow(column: pa.Array, spec: FieldSpec) -> tuple[pa.Array, pa.Array]:
    t = spec.type
    present = pc.is_valid(column)
    if t in ("integer", "year"):
        text, ok = _number_text(column, spec) if t == "integer" else (column, present)
        ok = pc.and_(ok, matches(text, YEAR_RE if t == "year" else INT_RE))
        if t == "year":
            ok = pc.and_(ok, pc.equal(pc.utf8_length(column), 4))
        clean = pc.replace_substring(pc.utf8_trim_whitespace(where(ok, text)), "_", "")
        clean = pc.replace_substring_regex(clean, r"^\+", "")  # pyarrow rejects "+1"
        return ok, pc.cast(clean, pa.int64())
    if t == "number":
        text, ok = _number_text(column, spec)
        ok = pc.and_(ok, matches(text, NUM_RE))
        clean = pc.replace_substring(pc.utf8_trim_whitespace(where(ok, text)), "_", "")
        clean = pc.replace_substring_regex(clean, r"(?i)^([+-]?)s?nan[0-9]*$", r"\1nan")
        return ok, pc.cast(clean, pa.float64())
    if t == "boolean":
        true_set = pa.array(list(spec.true_values), pa.string())
        false_set = pa.array(list(spec.false_values), pa.string())
        trues = pc.fill_null(pc.is_in(column, value_set=true_set), False)
        falses = pc.fill_null(pc.is_in(column, value_set=false_set), False)
        ok = pc.or_(trues, falses)
        return ok, where(ok, trues)
    if t == "date":
        fmt = "%Y-%m-%d" if spec.format in ("default", "any") else spec.format
        ok, parsed = _parse_dates(column, fmt)
        return ok, pc.cast(parsed, pa.date32())
    if t == "datetime":
        if spec.format in ("default", "any"):
            shape = matches(column, DATETIME_RE)
            naive = pc.replace_substring(
                pc.utf8_slice_codeunits(where(shape, column), 0, 19), " ", "T"
            )
            return _parse_dates(naive, "%Y-%m-%dT%H:%M:%S")
        return _parse_dates(column, spec.format)
    return present, column


def scalar_for(spec: FieldSpec, value: Any) -> Any:
    """A constraint value (minimum, enum item...) typed like the field's cells."""
    if spec.type in ("integer", "year"):
        return pa.scalar(int(value), pa.int64())
    if spec.type == "number":
        return pa.scalar(float(value), pa.float64())
    if spec.type == "boolean":
        if isinstance(value, bool):
            return pa.scalar(value, pa.bool_())
        if str(value) in spec.true_values:
            return pa.scalar(True, pa.bool_())
        return pa.scalar(False if str(value) in spec.false_values else None, pa.bool_())
    if spec.type in ("date", "datetime"):
        typed = typed_column(pa.array([str(value)], pa.string()), spec)[1][0]
        if not typed.is_valid and spec.format not in ("default", "any"):  # ISO accepted too
            iso = FieldSpec(spec.name, spec.type)
            typed = typed_column(pa.array([str(value)], pa.string()), iso)[1][0]
            if spec.type == "date":
                typed = pc.cast(typed, pa.date32())
        return typed
    return pa.scalar(str(value), pa.string())
