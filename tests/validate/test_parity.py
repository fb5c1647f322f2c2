"""Parity with `frictionless validate` (5.21): the same (row, field, code) set of errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.validate.helpers import write_text
from validate.findings import checked_by_frictionless
from validate.schema import load_schema
from validate.stage import load_codelists, validate_with
from validate.synthetic import KINDS_OF_ERROR, frictionless_keys, generate


def ours(data) -> set[tuple[int | None, str | None, str]]:
    schema = load_schema(data.schema)
    rep = validate_with(
        data.csv,
        schema,
        None,
        dataset="x",
        file="x",
        codelists=load_codelists(schema, data.csv.parent),
        cap=10**9,
    )
    return {f.parity_key for f in rep.findings if checked_by_frictionless(f.code)}


@pytest.mark.parametrize(("seed", "ragged"), [(1, True), (2, False)])
def test_same_errors_as_frictionless_on_generated_table(
    tmp_path: Path, seed: int, ragged: bool
) -> None:
    data = generate(tmp_path, 4000, seed=seed, errors=260, ragged=ragged)
    expected_kinds = set(KINDS_OF_ERROR) - (
        set() if ragged else {"extra-cell", "missing-cell", "empty-line"}
    )
    assert set(data.injected) == expected_kinds  # every kind of error was injected
    theirs = frictionless_keys(data)
    mine = ours(data)
    assert len(theirs) > 200
    codes = {code for _, _, code in theirs}
    assert {
        "type-error",
        "constraint-error",
        "unique-error",
        "primary-key",
        "foreign-key",
        "blank-row",
    } <= codes
    if ragged:
        assert {"extra-cell", "missing-cell"} <= codes
    assert mine == theirs, (
        sorted(theirs - mine, key=str)[:20],
        sorted(mine - theirs, key=str)[:20],
    )


TRICKY = {
    "integer": ["1", "+1", "-1", " 1", "1 ", "01", "1.0", "1e3", "1_000", "0x10", "abc", "1,5"],
    "number": [
        "1",
        "1.5",
        "-.5",
        "5.",
        "1e3",
        "1E-2",
        "NaN",
        "inf",
        "-Infinity",
        " 2 ",
        "1_0",
        "1,5",
        "x",
        "1.2.3",
        "--1",
        "+.5",
    ],
    "boolean": ["true", "True", "TRUE", "1", "false", "0", "yes", "t", "có"],
    "year": ["2024", "0024", "24", "20245", "-202", "năm"],
    "date": [
        "2024-02-29",
        "2023-02-29",
        "2024-1-5",
        "2024-02-31",
        "31/01/2024",
        "2024-13-01",
        "24-01-05",
    ],
    "datetime": [
        "2024-01-05T10:00:00",
        "2024-01-05T10:00:00Z",
        "2024-01-05T10:00:00+07:00",
        "2024-01-05T10:00:00.123",
        "2024-01-05 10:00:00",
        "2024-01-05T10:00",
        "2024-02-30T10:00:00",
        "2024-01-05T24:30:00",
        "2024-01-05",
    ],
}


@pytest.mark.parametrize("ftype", sorted(TRICKY))
def test_tricky_values_typed_like_frictionless(tmp_path: Path, ftype: str) -> None:
    import frictionless

    values = TRICKY[ftype]
    csv_path = write_text(tmp_path / "t.csv", "v\n" + "".join(f'"{v}"\n' for v in values))
    descriptor = {"fields": [{"name": "v", "type": ftype}]}
    schema_path = write_text(tmp_path / "s.json", json.dumps(descriptor))
    report = frictionless.validate(
        frictionless.Resource(
            path="t.csv",
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(descriptor),
        )
    )
    theirs = {tuple(r) for r in report.flatten(["rowNumber", "fieldName", "type"])}
    rep = validate_with(csv_path, load_schema(schema_path), None, dataset="x", file="x")
    assert {f.parity_key for f in rep.findings} == theirs


def test_dd_mm_yyyy_dates_like_frictionless(tmp_path: Path) -> None:
    import frictionless

    values = [
        "29/02/2024",
        "29/02/2023",
        "31/04/2024",
        "5/1/2024",
        "05/01/2024",
        "2024-01-05",
        "1/13/2024",
        "31/12/2024",
        "00/01/2024",
    ]
    csv_path = write_text(tmp_path / "t.csv", "v\n" + "".join(f"{v}\n" for v in values))
    descriptor = {"fields": [{"name": "v", "type": "date", "format": "%d/%m/%Y"}]}
    report = frictionless.validate(
        frictionless.Resource(
            path="t.csv",
            basepath=str(tmp_path),
            schema=frictionless.Schema.from_descriptor(descriptor),
        )
    )
    theirs = {tuple(r) for r in report.flatten(["rowNumber", "fieldName", "type"])}
    rep = validate_with(
        csv_path,
        load_schema(write_text(tmp_path / "s.json", json.dumps(descriptor))),
        None,
        dataset="x",
        file="x",
    )
    assert {f.parity_key for f in rep.findings} == theirs
    assert (4, "v", "type-error") in theirs  # 29/02/2023
