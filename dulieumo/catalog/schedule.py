"""When a dataset is published: the `schedule:` key of a dataset spec.

    schedule:
      cron: "0 2 * * *"            # omitted: derived from `frequency` (see DEFAULT_CRON)
      timezone: Asia/Ho_Chi_Minh   # IANA name; the default
      paused: false                # true: registered but not run on schedule

The cron expression is checked with Prefect's own validator (what the Prefect server
accepts), the timezone with the IANA database (zoneinfo). Errors name the field; the loader
adds the file.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from functools import lru_cache
from typing import Protocol

from croniter import croniter
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"

#: the schedule a dataset gets from its declared update frequency, at 02:00 local time
DEFAULT_CRON = {
    "daily": "0 2 * * *",  # every night
    "weekly": "0 2 * * 1",  # Monday night
    "monthly": "0 2 1 * *",  # the 1st of each month
    "quarterly": "0 2 1 1,4,7,10 *",  # the 1st of each quarter
    "yearly": "0 2 1 1 *",  # 1 January
    "irregular": "0 2 * * *",  # every night: an unchanged source writes nothing
}

#: how old the last successful run may be before a dataset is overdue (period + grace)
MAX_AGE = {
    "daily": dt.timedelta(hours=30),
    "weekly": dt.timedelta(days=8),
    "monthly": dt.timedelta(days=33),
    "quarterly": dt.timedelta(days=95),
    "yearly": dt.timedelta(days=370),
}


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def check_cron(value: str) -> str:
    """The expression, stripped; ValueError (no ': ' inside) when Prefect would refuse it."""
    from prefect.client.schemas.schedules import CronSchedule

    cron = " ".join(value.split())
    if len(cron.split()) != 5:
        raise ValueError(
            f"'{value}' is not a cron expression of five fields (minute hour day-of-month "
            "month day-of-week), e.g. '0 2 * * *' for 02:00 every night"
        )
    try:
        CronSchedule(cron=cron)
    except ValueError:
        raise ValueError(
            f"'{value}' is not a valid cron expression (minute 0-59, hour 0-23, day 1-31, "
            "month 1-12, day-of-week 0-6), e.g. '0 2 * * *' for 02:00 every night"
        ) from None
    return cron


def check_timezone(value: str) -> str:
    if value not in _timezones():
        close = difflib.get_close_matches(value, sorted(_timezones()), n=1, cutoff=0.8)
        guess = f" (did you mean '{close[0]}'?)" if close else ""
        raise ValueError(
            f"unknown timezone '{value}'{guess}; use an IANA name such as {DEFAULT_TIMEZONE}"
        )
    return value


class ScheduleSpec(BaseModel):
    """A dataset's publication schedule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cron: str | None = None
    timezone: str = DEFAULT_TIMEZONE
    paused: bool = False

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        try:
            return None if value is None else check_cron(value)
        except ValueError as exc:
            raise PydanticCustomError("schedule_cron", str(exc)) from None

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            return check_timezone(value)
        except ValueError as exc:
            raise PydanticCustomError("schedule_timezone", str(exc)) from None


class Schedule:
    """The effective schedule of one dataset: its cron (declared or derived) and timezone."""

    def __init__(self, cron: str, timezone: str, paused: bool = False, derived: bool = False):
        self.cron = cron
        self.timezone = timezone
        self.paused = paused
        self.derived = derived

    @classmethod
    def of(cls, spec: ScheduleSpec | None, frequency: str) -> Schedule:
        declared = spec or ScheduleSpec()
        cron = declared.cron or DEFAULT_CRON.get(frequency, DEFAULT_CRON["daily"])
        return cls(cron, declared.timezone, declared.paused, derived=declared.cron is None)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def next_run(self, after: dt.datetime | None = None) -> dt.datetime:
        """The next fire time after ``after`` (default now), in the schedule's timezone."""
        start = (after or dt.datetime.now(dt.UTC)).astimezone(self.tz)
        result: dt.datetime = croniter(self.cron, start).get_next(dt.datetime)
        return result

    def to_dict(self) -> dict[str, object]:
        return {
            "cron": self.cron,
            "timezone": self.timezone,
            "paused": self.paused,
            "derived_from_frequency": self.derived,
        }


class Scheduled(Protocol):
    """What a schedule is derived from (a DatasetSpec; models.py imports this module)."""

    @property
    def schedule(self) -> ScheduleSpec | None: ...
    @property
    def frequency(self) -> str: ...


def schedule_of(spec: Scheduled) -> Schedule:
    """The effective schedule of a DatasetSpec."""
    return Schedule.of(spec.schedule, str(spec.frequency))


def max_age(frequency: str) -> dt.timedelta | None:
    """How stale a dataset of this frequency may get; None for irregular data."""
    return MAX_AGE.get(frequency)
