"""What a row diff found (``rowdiff.diff_rows``): counts, samples and the delta to apply.

Apart from the computation (numpy, pandas, pyarrow), so that what only reads or carries a
diff (release notes, the DataStore load, a run that stops at "unchanged") imports none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Delta:
    """What turns the previous release's table into the new one: the key values of rows to
    drop (removed or changed) and the rows to add (added or changed), as CSV text values."""

    key: list[str]
    drop: list[list[str]]
    rows: list[dict[str, str]]


@dataclass
class RowDiff:
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    keyed_by: list[str] = field(default_factory=list)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    delta: Delta | None = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "keyed_by": self.keyed_by,
            "samples": self.samples,
        }
