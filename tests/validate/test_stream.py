"""Streaming (batches, bounded memory) finds exactly what the whole-table path finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from validate.schema import load_schema
from validate.stage import load_codelists, validate_with
from validate.suite import load_suite
from validate.synthetic import generate


def _keys(rep):
    return sorted(((f.code, f.row, f.field, f.value, f.severity) for f in rep.findings), key=str)


@pytest.mark.parametrize(("seed", "ragged"), [(3, False), (4, True)])
def test_streamed_batches_give_the_same_findings(tmp_path: Path, seed: int, ragged: bool) -> None:
    data = generate(tmp_path, 6000, seed=seed, errors=300, ragged=ragged)
    schema = load_schema(data.schema)
    suite = load_suite(data.suite, schema)
    codelists = load_codelists(schema, data.csv.parent)
    whole = validate_with(
        data.csv, schema, suite, dataset="x", file="x", codelists=codelists, cap=10**9, stream=False
    )
    streamed = validate_with(
        data.csv,
        schema,
        suite,
        dataset="x",
        file="x",
        codelists=codelists,
        cap=10**9,
        stream=True,
        block_size=64 << 10,
    )  # ~10 batches
    assert streamed.stats["streamed"] is True
    assert streamed.rows == whole.rows >= 6000
    if not ragged:  # a ragged file is checked whole, in one batch
        assert streamed.stats["batches"] >= 5
    assert dict(streamed.counts) == dict(whole.counts)
    assert _keys(streamed) == _keys(whole)
    # duplicates across batches are found: the unique field and the primary key
    assert whole.counts["unique-error"] and whole.counts["primary-key"]


def test_streamed_report_is_capped(tmp_path: Path) -> None:
    data = generate(tmp_path, 6000, seed=5, errors=300, ragged=False)
    schema = load_schema(data.schema)
    rep = validate_with(
        data.csv,
        schema,
        None,
        dataset="x",
        file="x",
        codelists=load_codelists(schema, data.csv.parent),
        cap=3,
        stream=True,
        block_size=64 << 10,
    )
    for code, n in rep.counts.items():
        assert len(rep.by_code(code)) == min(n, 3), code
