"""Rows added, removed and changed between two releases, matched by primary key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SAMPLE_LIMIT = 20


@dataclass
class RowDiff:
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    keyed_by: list[str] = field(default_factory=list)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

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


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _keys(frame: pd.DataFrame, key: list[str]) -> pd.Series:
    if len(key) == 1:
        return frame[key[0]]
    return frame[key].agg("\x1f".join, axis=1)


def diff_rows(
    old: Path | None, new: Path, primary_key: list[str], sample_limit: int = SAMPLE_LIMIT
) -> RowDiff:
    """Compare the previous release's CSV with the new one."""
    new_df = _read(new)
    if old is None:
        return RowDiff(
            added=len(new_df),
            keyed_by=primary_key,
            samples={"added": new_df.head(sample_limit).to_dict("records")},
        )
    old_df = _read(old)
    common = [c for c in new_df.columns if c in old_df.columns]
    key = [k for k in primary_key if k in common]
    if not key:  # no usable key: compare whole rows as a multiset
        old_h = pd.util.hash_pandas_object(old_df[common], index=False).value_counts()
        new_h = pd.util.hash_pandas_object(new_df[common], index=False).value_counts()
        both = old_h.index.union(new_h.index)
        o = old_h.reindex(both, fill_value=0)
        n = new_h.reindex(both, fill_value=0)
        return RowDiff(
            added=int((n - o).clip(lower=0).sum()),
            removed=int((o - n).clip(lower=0).sum()),
            unchanged=int(pd.concat([o, n], axis=1).min(axis=1).sum()),
        )
    old_idx = old_df.set_index(_keys(old_df, key))
    new_idx = new_df.set_index(_keys(new_df, key))
    added_keys = new_idx.index.difference(old_idx.index)
    removed_keys = old_idx.index.difference(new_idx.index)
    both = new_idx.index.intersection(old_idx.index)
    old_h = pd.util.hash_pandas_object(old_idx.loc[both, common], index=False).to_numpy()
    new_h = pd.util.hash_pandas_object(new_idx.loc[both, common], index=False).to_numpy()
    changed_mask = old_h != new_h
    changed_keys = both[changed_mask]
    samples: dict[str, list[dict[str, Any]]] = {
        "added": new_idx.loc[added_keys[:sample_limit]].to_dict("records"),
        "removed": old_idx.loc[removed_keys[:sample_limit]].to_dict("records"),
        "changed": [
            {
                "key": str(k),
                "before": {
                    c: old_idx.at[k, c] for c in common if old_idx.at[k, c] != new_idx.at[k, c]
                },
                "after": {
                    c: new_idx.at[k, c] for c in common if old_idx.at[k, c] != new_idx.at[k, c]
                },
            }
            for k in changed_keys[:sample_limit]
        ],
    }
    return RowDiff(
        len(added_keys),
        len(removed_keys),
        int(changed_mask.sum()),
        int((~changed_mask).sum()),
        key,
        samples,
    )
