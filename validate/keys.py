"""Keys: duplicates of unique fields and the primary key (within a table and, through
`SeenKeys`, across the batches of a streamed one) and foreign keys to code lists."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .findings import Finding, Report
from .messages import message


def row_numbers(mask: pa.Array, limit: int, offset: int = 0) -> list[int]:
    """Row numbers (header = row 1) of the first `limit` rows where mask is true; `offset`
    rows of the file come before this batch."""
    idx = pc.indices_nonzero(mask)
    return [i + 2 + offset for i in idx.slice(0, limit).to_pylist()]


def _codes(column: pa.Array) -> tuple[np.ndarray, int]:
    """Dense integer codes of a column's values (null is a value of its own); (codes, count)."""
    encoded = pc.dictionary_encode(column, null_encoding="encode")
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, max(len(encoded.dictionary), 1)


def not_first(columns: list[pa.Array]) -> pa.Array:
    """Mask of rows whose key tuple already appeared in an earlier row (nulls are values)."""
    n = len(columns[0])
    key, span = _codes(columns[0])
    for col in columns[1:]:
        codes, count = _codes(col)
        if span * count >= 2**62:  # too many combinations for one int64: renumber densely
            uniques, key = np.unique(key, return_inverse=True)
            span = max(len(uniques), 1)
        key = key * count + codes
        span *= count
    if len(columns) > 1:
        _, key = np.unique(key, return_inverse=True)
    first = np.zeros(n, dtype=bool)
    if n:
        _, first_index = np.unique(key, return_index=True)
        first[first_index] = True
    return pa.array(~first)


def key_values(columns: list[pa.Array]) -> pa.Array:
    """One string per row for a (composite) key, nulls kept distinct from any text."""
    parts = [pc.fill_null(pc.cast(c, pa.string()), "\x00") for c in columns]
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, "\x1f")


_HASH_BASE = np.uint64(1099511628211)


class SeenKeys:
    """Keys (unique fields, the primary key) of earlier batches, as 64-bit hashes: memory is
    8 bytes per distinct key, not the keys themselves. A hash collision (odds ~n²/2⁶⁵, about
    3·10⁻⁶ for 10 million keys) would report a duplicate that is not one."""

    def __init__(self) -> None:
        self.batches: dict[str, list[np.ndarray]] = {}

    @staticmethod
    def hashes(values: pa.Array) -> np.ndarray:
        """64-bit hashes of the values (as text; nulls distinct from any text), computed on
        pyarrow's buffers with numpy: no Python object per value (those fragmented the heap
        batch after batch). A polynomial hash with a splitmix64 finish; a collision can only
        report a duplicate that is not one, never hide one."""
        text = pc.fill_null(pc.cast(values, pa.string()), "\x00")
        if isinstance(text, pa.ChunkedArray):
            text = text.combine_chunks()
        n = len(text)
        bufs = text.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int32)[text.offset : text.offset + n + 1]
        lengths = np.diff(offsets).astype(np.int64)
        h = np.zeros(n, dtype=np.uint64)
        total = int(offsets[-1] - offsets[0]) if n else 0
        if total:
            data = np.frombuffer(bufs[2], dtype=np.uint8)[offsets[0] : offsets[-1]]
            owner = np.repeat(np.arange(n), lengths)
            ends = (offsets[1:] - offsets[0]).astype(np.int64)
            dist = ends[owner] - 1 - np.arange(total, dtype=np.int64)
            powers = np.cumprod(np.full(int(lengths.max()), _HASH_BASE, dtype=np.uint64))
            powers = np.concatenate(([np.uint64(1)], powers[:-1]))
            contrib = (data.astype(np.uint64) + np.uint64(1)) * powers[dist]
            nonempty = lengths > 0
            starts = (offsets[:-1] - offsets[0])[nonempty]
            h[nonempty] = np.add.reduceat(contrib, starts)
        h ^= lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
        return h

    def earlier(self, key: str, values: pa.Array, consider: pa.Array) -> pa.Array:
        """Mask of rows (among `consider`) whose value appeared in an earlier batch; then
        remembers this batch's values."""
        hashed = self.hashes(values)
        use = np.asarray(pc.fill_null(consider, False).to_numpy(zero_copy_only=False), dtype=bool)
        prev = np.zeros(len(hashed), dtype=bool)
        for known in self.batches.get(key, []):
            idx = np.minimum(np.searchsorted(known, hashed), len(known) - 1)
            prev |= known[idx] == hashed
        batches = self.batches.setdefault(key, [])
        batches.append(np.unique(hashed[use]))
        if len(batches) > 8:  # keep the number of sorted arrays small
            self.batches[key] = [np.unique(np.concatenate(batches))]
        return pa.array(prev & use)


def _key_texts(
    columns: dict[str, pa.Array], fields: list[str] | tuple[str, ...], bad: pa.Array, cap: int
) -> list[str]:
    """The key of the first `cap` bad rows as text ("a, b"; a null is empty)."""
    shown = pc.filter(pa.table({f: columns[f] for f in fields}), bad).slice(0, cap)
    return [
        ", ".join("" if v is None else str(v) for v in vals)
        for vals in zip(*(shown.column(f).to_pylist() for f in fields), strict=True)
    ]


def check_primary_key(
    report: Report,
    pk: list[str],
    columns: dict[str, pa.Array],
    typed: dict[str, pa.Array],
    file: str,
    offset: int = 0,
    seen: SeenKeys | None = None,
) -> None:
    key = [typed[k] for k in pk]
    all_null = pc.invert(pc.is_valid(key[0]))
    for col in key[1:]:
        all_null = pc.and_(all_null, pc.invert(pc.is_valid(col)))
    dup = pc.and_(pc.invert(all_null), not_first(key))
    if seen is not None:
        dup = pc.or_(dup, seen.earlier("\x00pk", key_values(key), pc.invert(all_null)))
    bad = pc.or_(all_null, dup)
    total = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
    if not total:
        return
    rows = row_numbers(bad, report.cap, offset)
    texts = _key_texts(columns, pk, bad, report.cap)
    empties = pc.filter(all_null, bad).slice(0, report.cap).to_pylist()
    label = ", ".join(pk)
    report.add_count(
        "primary-key",
        "error",
        total,
        [
            Finding(
                "primary-key",
                message("primary-key-null" if null else "primary-key", row=r, field=label, value=v),
                file=file,
                row=r,
                field=label,
                value=v,
                details={"fields": pk, "reason": "null" if null else "duplicate"},
            )
            for r, v, null in zip(rows, texts, empties, strict=True)
        ],
    )


def check_foreign_key(
    report: Report,
    fields: tuple[str, ...],
    resource: str,
    ref_fields: tuple[str, ...],
    columns: dict[str, pa.Array],
    typed: dict[str, pa.Array],
    ref: pa.Table,
    file: str,
    offset: int = 0,
) -> None:
    own = [typed[f] for f in fields]
    any_value = pc.is_valid(own[0])
    for col in own[1:]:
        any_value = pc.or_(any_value, pc.is_valid(col))
    allowed = pc.unique(key_values([ref.column(f).combine_chunks() for f in ref_fields]))
    bad = pc.and_(any_value, pc.invert(pc.is_in(key_values(own), value_set=allowed)))
    total = pc.sum(pc.cast(bad, pa.int64())).as_py() or 0
    if not total:
        return
    rows = row_numbers(bad, report.cap, offset)
    texts = _key_texts(columns, fields, bad, report.cap)
    label = ", ".join(fields)
    details = {"fields": list(fields), "resource": resource, "reference_fields": list(ref_fields)}
    report.add_count(
        "foreign-key",
        "error",
        total,
        [
            Finding(
                "foreign-key",
                message("foreign-key", row=r, field=label, value=v, resource=resource),
                file=file,
                row=r,
                field=label,
                value=v,
                details=details,
            )
            for r, v in zip(rows, texts, strict=True)
        ],
    )
