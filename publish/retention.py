"""Which releases to keep: all, or the last N plus the newest release of each year."""

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
