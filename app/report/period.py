"""Report periods: a month (2026-11), a quarter (2026-Q4) or a year (2026), in Vietnam time."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dulieumo.errors import TerminalError

VN_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")


class PeriodError(TerminalError):
    code = "bad-period"


@dataclass(frozen=True)
class Period:
    key: str  # 2026-11 | 2026-Q4 | 2026
    label_vi: str  # tháng 11/2026 | quý IV/2026 | năm 2026
    start: dt.datetime  # inclusive, aware
    end: dt.datetime  # exclusive, aware

    def contains(self, moment: dt.datetime) -> bool:
        return self.start <= moment < self.end


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def parse_period(text: str) -> Period:
    text = text.strip()
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(
                f"Period '{text}': month {month} does not exist.",
                hint="Use YYYY-MM, e.g. --period 2026-11",
            )
        start = dt.datetime(year, month, 1, tzinfo=VN_TZ)
        end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=VN_TZ)
        return Period(text, f"tháng {month}/{year}", start, end)
    if m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", text):
        year, q = int(m[1]), int(m[2])
        start = dt.datetime(year, 3 * q - 2, 1, tzinfo=VN_TZ)
        end = (
            dt.datetime(year + 1, 1, 1, tzinfo=VN_TZ)
            if q == 4
            else dt.datetime(year, 3 * q + 1, 1, tzinfo=VN_TZ)
        )
        return Period(f"{year}-Q{q}", f"quý {_ROMAN[q]}/{year}", start, end)
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return Period(
            text,
            f"năm {year}",
            dt.datetime(year, 1, 1, tzinfo=VN_TZ),
            dt.datetime(year + 1, 1, 1, tzinfo=VN_TZ),
        )
    raise PeriodError(
        f"Period '{text}' is not a month, quarter or year.",
        hint="Use --period 2026-11 (month), 2026-Q4 (quarter) or 2026 (year).",
    )


def parse_time(iso: str | None) -> dt.datetime | None:
    if not iso:
        return None
    try:
        moment = dt.datetime.fromisoformat(iso)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
