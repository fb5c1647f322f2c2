"""Giving freed heap memory back to the system between the batches of a streamed validation.

Each batch allocates and frees ~100 MB (typed columns, GX's metric arrays, Python strings)
while a few long-lived allocations (the key hashes of earlier batches) land between them.
glibc then keeps the freed pages: measured on the 10,000,000-row bench file, the heap's free
bytes grew by ~5 MB a batch while the bytes in use stayed flat, and RSS went over 3.5 GB.
Large arrays are mmapped (returned on free) once the mmap threshold is fixed, and
``malloc_trim(0)`` after each batch hands the free pages inside the heap back. Other C
libraries: no-ops."""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 20  # allocations of 1 MB or more: their own mapping, freed at once


@cache
def _glibc() -> Any | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim  # noqa: B018  (glibc only)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def fix_mmap_threshold() -> bool:
    """Stop glibc raising its mmap threshold (it does after each large free, which puts the
    next large arrays inside the heap, where freed pages stay). True when set."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def release_heap() -> bool:
    """Return the heap's free pages to the system (glibc ``malloc_trim(0)``); True when the
    C library did (or could have)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
