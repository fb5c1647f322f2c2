"""The freshness extras written with every release, shown on the dataset page by the portal.

``dulieumo_last_updated`` (the release's UTC time), ``dulieumo_next_update`` (the next run of
the dataset's schedule) and ``dulieumo_schedule`` (cron, timezone, paused), from which the
portal's template moves the next update on when unchanged runs have written nothing since.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from dulieumo.catalog.schedule import schedule_of

EXTRA_LAST_UPDATED = "dulieumo_last_updated"
EXTRA_NEXT_UPDATE = "dulieumo_next_update"
EXTRA_SCHEDULE = "dulieumo_schedule"


def freshness_extras(spec: Any, created: str) -> dict[str, str]:
    schedule = schedule_of(spec)
    at = dt.datetime.fromisoformat(created)
    return {
        EXTRA_LAST_UPDATED: created,
        EXTRA_NEXT_UPDATE: "" if schedule.paused else schedule.next_run(at).isoformat(),
        EXTRA_SCHEDULE: json.dumps(
            {"cron": schedule.cron, "timezone": schedule.timezone, "paused": schedule.paused}
        ),
    }
