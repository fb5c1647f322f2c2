"""Which releases to keep: all, or the last N plus the newest release of each year; and
which of the kept releases stay queryable in the DataStore.

Files are what citizens download and cite, so a kept release keeps its files forever; a
DataStore table is what the API queries, and costs about five times its CSV on disk (1,000,000
rows × 14 columns: a 116 MB file, a ~630 MB table with its indexes), so by default only the
newest `queryable` releases (2) keep a table. An older release's table can be loaded again
from its file (a rollback does so).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


class _Release(Protocol):
    version: str
    created: str  # ISO-8601


@dataclass(frozen=True)
class RetentionPolicy:
    keep_last: int | None = None  # None: keep every release
    one_per_year: bool = True
    queryable: int | None = 2  # releases with a DataStore table (None: all)

    def select(self, releases: Sequence[_Release]) -> tuple[list[str], list[str]]:
        """Return (kept, dropped) versions; newest first. The latest release is always kept."""
        ordered = sorted(releases, key=lambda r: r.created, reverse=True)
        if self.keep_last is None:
            return [r.version for r in ordered], []
        keep = {r.version for r in ordered[: max(1, self.keep_last)]}
        if self.one_per_year:
            seen: set[str] = set()
            for r in ordered:
                year = r.created[:4]
                if year not in seen:
                    seen.add(year)
                    keep.add(r.version)
        kept = [r.version for r in ordered if r.version in keep]
        dropped = [r.version for r in ordered if r.version not in keep]
        return kept, dropped

    def without_table(self, kept: Sequence[str]) -> list[str]:
        """Kept versions (newest first) whose DataStore table goes: the ones just past the
        newest `queryable` (a few, so one missed earlier is caught up; never all of them)."""
        if self.queryable is None:
            return []
        return list(kept[self.queryable : self.queryable + 3])
