"""What ``dulieumo new`` proposes for each column of a sample, beyond frictionless' types.

- **Dates** written dd/mm/yyyy (or dd-mm-yyyy, dd.mm.yyyy): a ``date`` field and
  ``conventions.date_format``; mm/dd/yyyy only when a second number is above 12 and no first.
- **Numbers** written ``1.234,5`` (Vietnamese) or ``1,234.5``: one convention for the
  dataset (``decimal_char``/``group_char``) from the values that show it unambiguously, and
  ``integer``/``number`` fields; columns whose values disagree stay text, with a TODO.
- **enum** for a text column with few distinct values (a category) and **pattern** for a
  code-like column (``CS00002`` → ``[A-Z]{2}[0-9]{5}``), each with a TODO to confirm.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

_DATE = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VI_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$")
_EN_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
ENUM_MAX = 12  # distinct values of a category column
ENUM_MIN_ROWS = 20  # rows needed before a column is called a category


@dataclass
class Proposal:
    """What the draft writes: field types, conventions, constraints and TODO notes."""

    types: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    decimal_char: str | None = None
    group_char: str | None = None
    enums: dict[str, list[str]] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # field → a TODO sentence


def _date_format(values: list[str]) -> str | None:
    matches = [_DATE.match(v) for v in values]
    if not values or not all(m or _ISO_DATE.match(v) for m, v in zip(matches, values, strict=True)):
        return None
    found = [m for m in matches if m]
    if not found:
        return None
    sep = found[0].group(2)
    if any(m.group(2) != sep for m in found):
        return None
    first_big = any(int(m.group(1)) > 12 for m in found)
    second_big = any(int(m.group(3)) > 12 for m in found)
    if second_big and not first_big:
        return f"%m{sep}%d{sep}%Y"
    if second_big and first_big:
        return None
    return f"%d{sep}%m{sep}%Y"


def _number_style(value: str) -> str | None:
    """'vi' (1.234,5), 'en' (1,234.5), 'both' (no separator or ambiguous) or None (not a
    number)."""
    vi, en = bool(_VI_NUMBER.match(value)), bool(_EN_NUMBER.match(value))
    if vi and en:
        return "both"
    return "vi" if vi else "en" if en else None


def _code_pattern(values: list[str]) -> str | None:
    """A regular expression all ``values`` share, when they look like codes."""
    if not values or any(
        len(v) > 24 or " " in v or not any(c.isdigit() for c in v) or not v.isascii()
        for v in values
    ):
        return None
    shapes: set[tuple[str, ...]] = set()
    lengths: dict[int, list[int]] = {}
    for v in values:
        runs: list[tuple[str, int]] = []
        for c in v:
            cls = (
                "[A-Z]"
                if c.isupper()
                else "[a-z]"
                if c.islower()
                else "[0-9]"
                if c.isdigit()
                else re.escape(c)
            )
            if runs and runs[-1][0] == cls:
                runs[-1] = (cls, runs[-1][1] + 1)
            else:
                runs.append((cls, 1))
        shapes.add(tuple(kind for kind, _ in runs))
        for i, (_, n) in enumerate(runs):
            lengths.setdefault(i, []).append(n)
    if len(shapes) != 1:
        return None
    (shape,) = shapes
    parts = []
    for i, kind in enumerate(shape):
        lo, hi = min(lengths[i]), max(lengths[i])
        count = "" if lo == hi == 1 else f"{{{lo}}}" if lo == hi else f"{{{lo},{hi}}}"
        parts.append(f"{kind}{count}")
    return "".join(parts)


def propose(
    names: list[str], rows: list[list[str]], types: dict[str, str], codes: set[str]
) -> Proposal:
    """``types``: frictionless' guess per field; ``codes``: fields kept as text because they
    are codes (leading zeros)."""
    out = Proposal(types=dict(types))
    columns = {
        n: [r[i].strip() for r in rows if i < len(r) and r[i].strip()] for i, n in enumerate(names)
    }
    # dates
    formats = {}
    for n, values in columns.items():
        if types.get(n) in ("string", "date", "datetime") and n not in codes:
            fmt = _date_format(values)
            if fmt:
                formats[n] = fmt
    if formats:
        common = Counter(formats.values()).most_common(1)[0][0]
        for n, fmt in formats.items():
            if fmt == common:
                out.types[n] = "date"
            else:
                out.notes[n] = f"ngày viết theo dạng khác ({fmt}); đang để dạng chuỗi"
        if any(_DATE.match(v) for n in formats for v in columns[n]):
            out.date_format = common
    # numbers: one convention for the whole file
    styles: dict[str, set[str]] = {}
    for n, values in columns.items():
        if n in codes or out.types.get(n) == "date" or not values:
            continue
        found = {_number_style(v) for v in values}
        if None in found:
            continue
        styles[n] = {s for s in found if s}
    evidence = set().union(*styles.values()) - {"both"} if styles else set()
    if evidence == {"vi"} or evidence == {"en"}:
        style = next(iter(evidence))
        out.decimal_char, out.group_char = (",", ".") if style == "vi" else (".", ",")
    for n, seen in styles.items():
        values = columns[n]
        if seen <= {"both"} and out.decimal_char is None:
            continue  # plain numbers: frictionless already typed them
        if len(evidence) > 1:
            out.notes[n] = "số viết lẫn hai kiểu (1.234,5 và 1,234.5); đang để dạng chuỗi"
            out.types[n] = "string"
            continue
        dec = out.decimal_char or "."
        out.types[n] = "number" if any(dec in v for v in values) else "integer"
    # categories and codes
    for n, values in columns.items():
        if out.types.get(n) != "string" or not values:
            continue
        distinct = sorted(set(values))
        pattern = _code_pattern(values)
        if pattern and (n in codes or len(distinct) > ENUM_MAX or n.startswith("ma")):
            out.patterns[n] = pattern
        elif len(values) >= ENUM_MIN_ROWS and len(distinct) <= ENUM_MAX:
            out.enums[n] = distinct
    return out
