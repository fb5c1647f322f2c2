"""How a run of one dataset ended: one enum for the run history, the flows' outcomes, the
"publish all" summary, notifications, `dulieumo status` and the leadership report.

A ``StrEnum``: each member equals the string stored in ``runs.jsonl`` since the first run,
so old history reads as it is and JSON output is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class RunStatus(StrEnum):
    PUBLISHED = "published"  # a new release is on the portal
    UNCHANGED = "unchanged"  # same data as the latest release: nothing written
    INVALID = "invalid"  # validation found errors: nothing published, input quarantined
    FAILED = "failed"  # could not run to the end (source, portal, spec...)
    SKIPPED = "skipped"  # not run: paused, or another run holds the dataset's lock
    PLANNED = "planned"  # a dry run: the plan, nothing written

    @property
    def succeeded(self) -> bool:
        """The portal holds the current data after this run."""
        return self in (RunStatus.PUBLISHED, RunStatus.UNCHANGED)

    @property
    def failed(self) -> bool:
        """The run should have published and did not (told to the organisation)."""
        return self in (RunStatus.FAILED, RunStatus.INVALID)

    @property
    def quiet(self) -> bool:
        """Nothing happened that anyone needs to hear about."""
        return self in (RunStatus.SKIPPED, RunStatus.PLANNED)

    @property
    def group(self) -> SummaryGroup:
        """The line of the "publish all" summary this status counts in."""
        return _GROUP[self]

    @classmethod
    def of_release(cls, action: str) -> RunStatus:
        """The run status of a publish stage result (``PublishResult.action``: created,
        released, unchanged or planned)."""
        if action == "planned":
            return cls.PLANNED
        if action == "unchanged":
            return cls.UNCHANGED
        return cls.PUBLISHED


class SummaryGroup(StrEnum):
    PUBLISHED = "published"
    UNCHANGED = "unchanged"
    FAILED = "failed"
    SKIPPED = "skipped"


_GROUP = {
    RunStatus.PUBLISHED: SummaryGroup.PUBLISHED,
    RunStatus.UNCHANGED: SummaryGroup.UNCHANGED,
    RunStatus.PLANNED: SummaryGroup.UNCHANGED,
    RunStatus.INVALID: SummaryGroup.FAILED,
    RunStatus.FAILED: SummaryGroup.FAILED,
    RunStatus.SKIPPED: SummaryGroup.SKIPPED,
}


def validation_failed_reason(findings: Mapping[str, int]) -> str:
    """The reason stored for an invalid run: "validation failed: code ×n, ..."."""
    return "validation failed: " + ", ".join(f"{code} ×{n}" for code, n in sorted(findings.items()))
