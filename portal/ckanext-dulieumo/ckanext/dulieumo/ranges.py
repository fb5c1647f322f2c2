"""Bounds of range queries: Solr dates with date math (`NOW-1DAY`, `NOW/DAY`) and numbers.

Dates are read as Solr reads them — `2020-01-01T00:00:00Z`, fractional seconds allowed —
and, more leniently, as a bare day (`2020-01-01`, midnight UTC) or with a UTC offset
(`2020-01-01T07:00:00+07:00`; ckanext-dcat 2.4.4 sends `…+00:00Z` when its `modified_since`
carries an offset, which is read as that offset). `NOW` is the time of the search (UTC).
Either may be followed by Solr's date math: `+N<UNIT>` / `-N<UNIT>` (add, subtract) and
`/<UNIT>` (round down), with units YEAR, MONTH, DAY (DATE), HOUR, MINUTE, SECOND,
MILLI(SECOND), singular or plural: `NOW-1DAY`, `NOW/DAY`, `NOW-1YEAR/DAY`,
`2020-01-01T00:00:00Z+6MONTHS`. Dates are compared in UTC.

A bound that cannot be read is a QueryError naming the field, the bound and the forms that
work. This module does not import CKAN.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Literal

from .budget import QueryError

RangeKind = Literal["date", "number"]

_ANCHOR = re.compile(
    r"^(?P<anchor>NOW|(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2}(?=$|Z|[+/-]))?(?P<z2>Z)?)"
)
_MATH = re.compile(r"([+-])(\d{1,6})([A-Z]+)|/([A-Z]+)")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_UNITS = {
    "YEAR": "YEAR",
    "MONTH": "MONTH",
    "DAY": "DAY",
    "DATE": "DAY",
    "HOUR": "HOUR",
    "MINUTE": "MINUTE",
    "SECOND": "SECOND",
    "MILLI": "MILLI",
    "MILLISECOND": "MILLI",
}
_HELP = (
    "use an ISO date such as 2020-01-01T00:00:00Z, NOW, date math such as NOW-1DAY or "
    "NOW/DAY, or * for an open bound"
)


def _unit(name: str, bound: str, fname: str) -> str:
    unit = _UNITS.get(name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name)
    if unit is None:
        raise QueryError(
            f"Unknown date unit {name!r} in the range bound {bound!r} of {fname!r}: the units "
            "are YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, MILLI (e.g. NOW-7DAYS)."
        )
    return unit


def _add(moment: datetime, amount: int, unit: str) -> datetime:
    if unit in ("YEAR", "MONTH"):
        months = moment.month - 1 + amount * (12 if unit == "YEAR" else 1)
        year, month = moment.year + months // 12, months % 12 + 1
        if not 1 <= year <= 9999:
            raise OverflowError
        day = min(moment.day, calendar.monthrange(year, month)[1])
        return moment.replace(year=year, month=month, day=day)
    seconds = {"DAY": 86400, "HOUR": 3600, "MINUTE": 60, "SECOND": 1, "MILLI": 0.001}[unit]
    return moment + timedelta(seconds=amount * seconds)


def _round(moment: datetime, unit: str) -> datetime:
    if unit == "MILLI":
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    keep = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"].index(unit)
    moment = moment.replace(microsecond=0)
    if keep < 5:
        moment = moment.replace(second=0)
    if keep < 4:
        moment = moment.replace(minute=0)
    if keep < 3:
        moment = moment.replace(hour=0)
    if keep < 2:
        moment = moment.replace(day=1)
    if keep < 1:
        moment = moment.replace(month=1)
    return moment


def parse_iso(text: str) -> datetime | None:
    """An ISO date or date-time (as CKAN indexes them) as an aware UTC datetime, or None."""
    found = _ANCHOR.match(text)
    if not found or found.group("anchor") == "NOW" or found.end() != len(text):
        return None
    try:
        return _anchor(found)
    except ValueError:
        return None


def _anchor(found: re.Match[str]) -> datetime:
    clock = found.group("time") or "00:00"
    if "." in clock:
        head, frac = clock.split(".")
        clock = f"{head}.{frac[:6]}"
    zone = found.group("zone") or "Z"
    zone = "+00:00" if zone == "Z" else zone
    moment = datetime.fromisoformat(f"{found.group('date')}T{clock}{zone}")
    return moment.astimezone(UTC)


def parse_date(bound: str, fname: str, now: datetime | None = None) -> datetime:
    """One date bound (an ISO date or NOW, then date math) as an aware UTC datetime."""
    found = _ANCHOR.match(bound)
    if not found:
        raise QueryError(f"Cannot read the date {bound!r} in the range of {fname!r}: {_HELP}.")
    try:
        if found.group("anchor") == "NOW":
            moment = now or datetime.now(UTC)
        else:
            moment = _anchor(found)
        pos = found.end()
        while pos < len(bound):
            step = _MATH.match(bound, pos)
            if not step:
                raise QueryError(
                    f"Cannot read the date math {bound[pos:]!r} in {bound!r} of {fname!r}: {_HELP}."
                )
            if step.group(4):
                moment = _round(moment, _unit(step.group(4), bound, fname))
            else:
                amount = int(step.group(2)) * (-1 if step.group(1) == "-" else 1)
                moment = _add(moment, amount, _unit(step.group(3), bound, fname))
            pos = step.end()
    except QueryError:
        raise
    except (ValueError, OverflowError):
        raise QueryError(
            f"The date {bound!r} in the range of {fname!r} is not a real date or is out of "
            f"range: {_HELP}."
        ) from None
    return moment


def parse_number(bound: str, fname: str) -> float:
    """One number bound."""
    if _NUMBER.match(bound):
        value = float(bound)
        if math.isfinite(value):
            return value
    raise QueryError(
        f"Cannot read {bound!r} as a number in the range of {fname!r}, which holds numbers: "
        "use numbers such as [1 TO 10], or * for an open bound."
    )


def parse_bound(
    bound: str | None, kind: RangeKind, fname: str, now: datetime | None = None
) -> datetime | float | None:
    """A bound of a range on a date or number field; None stays open."""
    if bound is None:
        return None
    return parse_date(bound, fname, now) if kind == "date" else parse_number(bound, fname)


def sortable(value: object) -> float | None:
    """A scalar index value as a number the range column holds: numbers as they are, ISO
    dates as seconds since 1970 (UTC); anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str) or len(value) > 40:
        return None
    if _NUMBER.match(value):
        number = float(value)
        return number if math.isfinite(number) else None
    moment = parse_iso(value)
    return moment.timestamp() if moment is not None else None
