"""Rows added, removed and changed between two releases, matched by primary key.

Streamed: each CSV is read in blocks of text columns and reduced to two 64-bit hashes per
row (its key, its whole content), so memory is 16 bytes a row, not the rows. A second pass
over each file picks the rows the release notes show as samples and, when few rows changed,
the rows themselves (`RowDiff.delta`): the portal builds the new release's DataStore table
from the previous one plus those rows instead of loading the whole file again.

When both files have the same header (the usual case: both written by the pull stage's
CSV writer), the lines themselves are compared first (`_by_lines`): a row whose line is in
both files is unchanged, and only the few lines found in one file only are parsed. Files
where that cannot be trusted (a cell holding a line break, a repeated line, too many
differing lines) take the column path.

Two different keys (or rows) with the same 64-bit hash would hide a change; at 10 million
rows the odds are about 3·10⁻⁶.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .rowdelta import Delta, RowDiff

__all__ = ["DELTA_LIMIT", "SAMPLE_LIMIT", "Delta", "RowDiff", "diff_rows", "header"]

SAMPLE_LIMIT = 20
#: more changed rows than this and the new release's table is loaded from its file
DELTA_LIMIT = 50_000
BLOCK_BYTES = 16 << 20


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        import csv

        return next(csv.reader(fh), [])


def _batches(path: Path, columns: list[str]) -> Iterator[pd.DataFrame]:
    """The file's rows in blocks, every column as text (empty cells stay "")."""
    names = header(path)
    if not names:
        return
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names},
        include_columns=columns,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    reader = pacsv.open_csv(
        path, read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES), convert_options=convert
    )
    for batch in reader:
        if batch.num_rows:
            yield batch.to_pandas()


def _hash(frame: pd.DataFrame) -> np.ndarray:
    return pd.util.hash_pandas_object(frame, index=False).to_numpy(dtype=np.uint64)


def _hashes(path: Path, key: list[str], common: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(key hash, row hash) of every row, in file order."""
    keys: list[np.ndarray] = []
    rows: list[np.ndarray] = []
    for frame in _batches(path, common):
        keys.append(_hash(frame[key]))
        rows.append(_hash(frame[common]))
    if not keys:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    return np.concatenate(keys), np.concatenate(rows)


def _pick(path: Path, columns: list[str], wanted: np.ndarray) -> dict[int, dict[str, str]]:
    """{row index: row} of the rows at the (sorted) indices `wanted`."""
    out: dict[int, dict[str, str]] = {}
    if not len(wanted):
        return out
    start = 0
    for frame in _batches(path, columns):
        end = start + len(frame)
        lo, hi = np.searchsorted(wanted, [start, end])
        if hi > lo:
            for i, row in zip(
                wanted[lo:hi].tolist(),
                frame.iloc[wanted[lo:hi] - start].to_dict("records"),
                strict=True,
            ):
                out[i] = row
        start = end
        if hi == len(wanted):
            break
    return out


def _matches(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of `keys`: (found in sorted_keys, its position there)."""
    if not len(sorted_keys):
        return np.zeros(len(keys), bool), np.zeros(len(keys), np.int64)
    pos = np.searchsorted(sorted_keys, keys)
    pos = np.minimum(pos, len(sorted_keys) - 1)
    return sorted_keys[pos] == keys, pos


def _first_release(new: Path, primary_key: list[str], sample_limit: int) -> RowDiff:
    names = header(new)
    count, head = 0, list[dict[str, Any]]()
    for frame in _batches(new, names):
        if len(head) < sample_limit:
            head += frame.head(sample_limit - len(head)).to_dict("records")
        count += len(frame)
    return RowDiff(added=count, keyed_by=primary_key, samples={"added": head})


def _without_key(old: Path, new: Path, common: list[str]) -> RowDiff:
    """Whole rows compared as a multiset."""
    _, old_h = _hashes(old, common[:1], common)
    _, new_h = _hashes(new, common[:1], common)
    o = pd.Series(old_h).value_counts()
    n = pd.Series(new_h).value_counts()
    both = o.index.union(n.index)
    o, n = o.reindex(both, fill_value=0), n.reindex(both, fill_value=0)
    return RowDiff(
        added=int((n - o).clip(lower=0).sum()),
        removed=int((o - n).clip(lower=0).sum()),
        unchanged=int(np.minimum(o.to_numpy(), n.to_numpy()).sum()),
    )


def diff_rows(
    old: Path | None,
    new: Path,
    primary_key: list[str],
    sample_limit: int = SAMPLE_LIMIT,
    delta_limit: int = DELTA_LIMIT,
) -> RowDiff:
    """Compare the previous release's CSV with the new one."""
    if old is None:
        return _first_release(new, primary_key, sample_limit)
    new_cols, old_cols = header(new), header(old)
    common = [c for c in new_cols if c in old_cols]
    key = [k for k in primary_key if k in common]
    if not key:
        return _without_key(old, new, common)
    if new_cols == old_cols:
        by_lines = _by_lines(old, new, new_cols, key, sample_limit, delta_limit)
        if by_lines is not None:
            return by_lines
    return _by_columns(old, new, key, sample_limit, delta_limit, (new_cols, old_cols))


def _by_columns(
    old: Path,
    new: Path,
    key: list[str],
    sample_limit: int,
    delta_limit: int,
    headers: tuple[list[str], list[str]] | None = None,
) -> RowDiff:
    """The diff from two 64-bit hashes per row (key, content) of the common columns
    (``headers``: the new and old files' headers, when already read)."""
    new_cols, old_cols = headers or (header(new), header(old))
    common = [c for c in new_cols if c in old_cols]
    old_k, old_r = _hashes(old, key, common)
    new_k, new_r = _hashes(new, key, common)
    order = np.argsort(old_k, kind="stable")
    found, pos = _matches(old_k[order], new_k)
    old_index = order[pos] if len(order) else pos  # the old row of each new row (if found)
    changed = np.zeros(len(new_k), bool)
    changed[found] = old_r[old_index[found]] != new_r[found]
    added = ~found
    gone, _ = _matches(np.sort(new_k), old_k)
    removed = ~gone
    n_added, n_changed, n_removed = int(added.sum()), int(changed.sum()), int(removed.sum())
    diff = RowDiff(n_added, n_removed, n_changed, int(found.sum()) - n_changed, key, {}, None)
    new_rows_idx = np.flatnonzero(added | changed)
    with_delta = n_added + n_changed + n_removed <= delta_limit and new_cols == old_cols
    want_new = (
        new_rows_idx
        if with_delta
        else np.union1d(
            np.flatnonzero(added)[:sample_limit], np.flatnonzero(changed)[:sample_limit]
        )
    )
    changed_new = np.flatnonzero(changed)[:sample_limit]
    removed_idx = np.flatnonzero(removed)
    want_old = np.union1d(
        removed_idx if with_delta else removed_idx[:sample_limit], old_index[changed_new]
    )
    new_rows = _pick(new, new_cols, want_new)
    old_rows = _pick(old, old_cols, want_old)
    diff.samples = {
        "added": [new_rows[i] for i in np.flatnonzero(added)[:sample_limit].tolist()],
        "removed": [old_rows[i] for i in removed_idx[:sample_limit].tolist()],
        "changed": [
            _change(old_rows[int(old_index[i])], new_rows[i], key, common)
            for i in changed_new.tolist()
        ],
    }
    if with_delta:
        rows = [new_rows[i] for i in new_rows_idx.tolist()]
        drop = [[new_rows[i][k] for k in key] for i in np.flatnonzero(changed).tolist()]
        drop += [[old_rows[i][k] for k in key] for i in removed_idx.tolist()]
        diff.delta = Delta(key, drop, rows)
    return diff


def _change(
    before: dict[str, str], after: dict[str, str], key: list[str], common: list[str]
) -> dict[str, Any]:
    differs = [c for c in common if before[c] != after[c]]
    return {
        "key": "\x1f".join(after[k] for k in key),
        "before": {c: before[c] for c in differs},
        "after": {c: after[c] for c in differs},
    }


# ------------------------------------------------------------------------- by lines


def _line_hashes(path: Path) -> tuple[list[bytes], np.ndarray, np.ndarray] | None:
    """(data lines, their hashes, the hashes sorted); None when a line cannot stand for a
    row: a cell holding a line break (a line with an odd number of quotes) or a line twice."""
    data = path.read_bytes()
    lines = _split(data)
    if b'"' in data and any(line.count(b'"') % 2 for line in lines if b'"' in line):
        return None
    del data
    hashes = np.fromiter(map(hash, lines), dtype=np.int64, count=len(lines))
    ordered = np.sort(hashes)
    if len(ordered) > 1 and bool((ordered[1:] == ordered[:-1]).any()):
        return None
    return lines, hashes, ordered


def _absent(hashes: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Indices of `hashes` not in the sorted array `ordered`."""
    if not len(ordered):
        return np.arange(len(hashes))
    pos = np.minimum(np.searchsorted(ordered, hashes), len(ordered) - 1)
    return np.flatnonzero(ordered[pos] != hashes)


def _parsed(lines: list[bytes], names: list[str]) -> list[dict[str, str]]:
    return [
        dict(zip(names, row, strict=False))
        for row in csv.reader(line.decode("utf-8") for line in lines)
    ]


def _by_lines(
    old: Path, new: Path, names: list[str], key: list[str], sample_limit: int, delta_limit: int
) -> RowDiff | None:
    """The diff from the lines found in one file only; None to take the column path."""
    seen = _line_hashes(old)
    if seen is None:
        return None
    _, old_h, old_sorted = seen
    del seen
    found = _line_hashes(new)
    if found is None:
        return None
    new_lines, new_h, new_sorted = found
    new_only = _absent(new_h, old_sorted)
    old_only = _absent(old_h, new_sorted)
    if len(new_only) + len(old_only) > 2 * delta_limit:
        return None
    fresh = _parsed([new_lines[i] for i in new_only.tolist()], names)
    total = len(new_lines)
    del new_lines, found
    old_lines = _split(old.read_bytes())
    stale = _parsed([old_lines[i] for i in old_only.tolist()], names)
    del old_lines
    if any(len(r) != len(names) for r in fresh + stale):
        return None  # a ragged line: the column path reads it as the tables do

    def key_of(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row[k] for k in key)

    before = {key_of(r): r for r in stale}
    after = {key_of(r): r for r in fresh}
    if len(before) != len(stale) or len(after) != len(fresh):
        return None  # a repeated key: the column path counts it as the tables do
    added = [r for r in fresh if key_of(r) not in before]
    changed = [
        (before[key_of(r)], r) for r in fresh if key_of(r) in before and before[key_of(r)] != r
    ]
    removed = [r for r in stale if key_of(r) not in after]
    diff = RowDiff(
        added=len(added),
        removed=len(removed),
        changed=len(changed),
        unchanged=total - len(added) - len(changed),
        keyed_by=key,
    )
    diff.samples = {
        "added": added[:sample_limit],
        "removed": removed[:sample_limit],
        "changed": [_change(a, b, key, names) for a, b in changed[:sample_limit]],
    }
    if len(added) + len(changed) + len(removed) <= delta_limit:
        moved = {key_of(b) for _, b in changed}
        diff.delta = Delta(
            key,
            [list(key_of(b)) for _, b in changed] + [list(key_of(r)) for r in removed],
            [r for r in fresh if key_of(r) not in before or key_of(r) in moved],
        )
    return diff


def _split(data: bytes) -> list[bytes]:
    """The lines after the header."""
    lines = data.split(b"\n")[1:]
    if lines and lines[-1] == b"":
        lines.pop()
    return lines
