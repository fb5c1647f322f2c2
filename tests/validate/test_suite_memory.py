"""The GX suite evaluated on many batches keeps none of them: a streamed validation of ten
million rows holds one batch's frame at a time, whatever the number of batches."""

from __future__ import annotations

import gc
import os
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import validate.suite as suite_module
from validate import memory
from validate.schema import load_schema
from validate.stage import load_codelists, validate_with
from validate.suite import evaluate, load_suite, subset
from validate.synthetic import generate


def _frame(i: int, n: int = 3000) -> pd.DataFrame:
    pm25 = np.linspace(0, 600, n)  # values above 500 fail the range rule
    return pd.DataFrame(
        {
            "pm25": pm25,
            "ma_xa": [f"X{i}"] * n,
            "so_mau": np.full(n, 2.0),
            "so_mau_dat": np.full(n, 1.0),
            "ngay_do": pd.to_datetime(["2024-01-01"] * n),
            "loai": ["KHONG_KHI"] * n,
        }
    )


@pytest.mark.slow
def test_evaluating_many_batches_keeps_no_frame_and_no_store_entry(tmp_path: Path) -> None:
    data = generate(tmp_path, 200, seed=1, errors=0, ragged=False)
    schema = load_schema(data.schema)
    row_wise = subset(load_suite(data.suite, schema), True)
    assert len(row_wise.expectations) >= 4
    refs = []
    context = suite_module._context()
    for i in range(30):
        frame = _frame(i)
        results = evaluate(row_wise, frame)
        # GX really evaluated this frame: the range rule fails on its values above 500
        assert any(not r.success for r in results)
        refs.append(weakref.ref(frame))
        del frame, results
    gc.collect()
    assert [r for r in refs if r() is not None] == []
    # one context for every evaluation, and its stores do not grow with them
    assert suite_module._context() is context
    assert len(context.data_sources.all()) == 0
    assert len(context.suites.all()) == 0
    assert len(context.validation_definitions.all()) == 0


def test_streamed_stage_keeps_no_batch_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = generate(tmp_path, 6000, seed=7, errors=200, ragged=False)
    schema = load_schema(data.schema)
    suite = load_suite(data.suite, schema)
    seen: list[weakref.ref[pd.DataFrame]] = []
    original = suite_module.evaluate

    def recording(s: Any, frame: pd.DataFrame, **kwargs: Any) -> list[Any]:
        seen.append(weakref.ref(frame))
        return original(s, frame, **kwargs)

    monkeypatch.setattr(suite_module, "evaluate", recording)
    report = validate_with(
        data.csv,
        schema,
        suite,
        dataset="x",
        file="x",
        codelists=load_codelists(schema, data.csv.parent),
        cap=10**9,
        stream=True,
        block_size=64 << 10,
    )
    assert report.stats["batches"] >= 5
    assert len(seen) == report.stats["batches"] + 1  # row-wise rules per batch, then the rest
    assert report.counts["expectation-failed"]  # the suite's failures were found
    gc.collect()
    assert [r for r in seen if r() is not None] == []


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(
    memory._glibc() is None or not Path("/proc/self/statm").exists(), reason="glibc and /proc only"
)
def test_release_heap_gives_freed_pages_back() -> None:
    """Freed chunks inside the heap (a live allocation above them) stay resident until
    release_heap(); the streamed stage calls it after every batch."""
    chunks = [bytearray(4000) for _ in range(50_000)]  # ~200 MB of heap chunks (< mmap size)
    for c in chunks:
        c[::512] = b"x" * len(c[::512])  # touch every page
    keep = [bytearray(4000) for _ in range(10)]  # above them: the heap cannot just shrink
    del chunks
    before = _rss_mb()
    assert memory.release_heap() is True
    after = _rss_mb()
    assert before - after > 100, (before, after)
    assert keep
