"""Our errors already say what happened and what to do: Prefect logs them without a traceback.

A traceback is kept for anything unexpected (a bug), where it helps.
"""

from __future__ import annotations

import logging

from dulieumo.errors import DulieumoError

RUN_LOGGERS = (
    "prefect.task_runs",
    "prefect.flow_runs",
    "prefect.task_engine",
    "prefect.flow_engine",
)


class _DropKnownTracebacks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DulieumoError):
            record.exc_info = None
            record.exc_text = None
            record.msg = str(record.msg).split("\nTraceback", 1)[0]
        return True


_FILTER = _DropKnownTracebacks()


def quiet_known_errors() -> None:
    for name in RUN_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
