"""Every finding code of validate/messages.py: a case that reports it and a fixed case that
does not; each has a severity, a Vietnamese title and message, and a location."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from dulieumo.catalog.quality import AggregateSpec, QualitySpec
from dulieumo.errors import PortalUnavailable
from tests.support.specs import dataset_spec
from tests.validate.helpers import run, schema_of, write_json, write_text
from validate import readers
from validate.findings import Report
from validate.messages import TEMPLATES, TITLES, codes, severity
from validate.previous import LastRelease, PreviousRelease
from validate.stage import validate_table

S2 = schema_of({"name": "a"}, {"name": "b"})
NUM = schema_of(
    {"name": "ma", "constraints": {"required": True}},
    {"name": "so", "type": "integer", "constraints": {"minimum": 1, "maximum": 9}},
    {
        "name": "ten",
        "constraints": {
            "minLength": 2,
            "maxLength": 5,
            "pattern": "[A-Z][a-z]*",
            "enum": ["An", "Binh", "Cu", "X"],
            "unique": True,
        },
    },
    primaryKey=["ma"],
)
EXC = schema_of(
    {
        "name": "ty_le",
        "type": "number",
        "constraints": {"exclusiveMinimum": 0, "exclusiveMaximum": 1},
    },
    **{"$schema": "https://datapackage.org/profiles/2.0/tableschema.json"},
)
GOOD_NUM = "ma,so,ten\nM1,3,An\nM2,4,Binh\n"
SUITE_OK = {
    "expectations": [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "so", "max_value": 5}}
    ]
}


def gx_raises(raises: bool) -> Callable[[Path, pytest.MonkeyPatch], Report]:
    """GX reporting that a rule raised while running (its result's exception_info)."""

    def go(root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
        import validate.suite as suite_module

        real = suite_module.evaluate

        def evaluate(suite: Any, frame: Any, *, cap: int = 100) -> list[Any]:
            results = real(suite, frame, cap=cap)
            for res in results:
                res.exception_info = {
                    "raised_exception": True,
                    "exception_message": "metric failed",
                }
            return results

        if raises:
            monkeypatch.setattr(suite_module, "evaluate", evaluate)
        return csv_case(GOOD_NUM, NUM, suite=SUITE_OK)(root)

    return go


def csv_case(text: str, schema: dict[str, Any] = S2, **kw: Any) -> Callable[[Path], Report]:
    return lambda root: run(root, text, schema, **kw)


def raw_case(data: bytes, schema: dict[str, Any] = S2) -> Callable[[Path], Report]:
    def go(root: Path) -> Report:
        from validate.schema import load_schema
        from validate.stage import validate_with

        path = root / "data.csv"
        path.write_bytes(data)
        return validate_with(
            path,
            load_schema(write_json(root / "s.json", schema)),
            None,
            dataset="t",
            file="data.csv",
        )

    return go


def notes_case(text: str, notes: dict[str, Any]) -> Callable[[Path], Report]:
    """A normalised CSV with what pull noted about the agency's file (total rows...)."""

    def go(root: Path) -> Report:
        from dulieumo.tables import SourceNotes

        SourceNotes(**notes).write(write_text(root / "data.csv", text))
        return run(root, text, S2)

    return go


def quality_case(
    text: str, schema: dict[str, Any], quality: QualitySpec
) -> Callable[[Path], Report]:
    def go(root: Path) -> Report:
        from validate.schema import load_schema
        from validate.stage import validate_with

        table = write_text(root / "data.csv", text)
        return validate_with(
            table,
            load_schema(write_json(root / "s.json", schema)),
            None,
            dataset="t",
            file="data.csv",
            quality=quality,
        )

    return go


def history_case(rows: int, fail: bool = False) -> Callable[[Path], Report]:
    """validate_table with a tolerance; the last release (100 rows) as the flow looked it up."""

    def go(root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
        if fail:
            previous = PreviousRelease(
                unchecked=PortalUnavailable(
                    "The portal at http://127.0.0.1:1 could not be reached."
                ).message
            )
        else:
            previous = PreviousRelease(last=LastRelease("1.0.0", 100))
        write_json(root / "schemas" / "s.json", S2)
        write_text(root / "data.csv", "a,b\n" + "x,y\n" * rows)
        spec = dataset_spec(quality=QualitySpec(row_count_tolerance=0.2))
        return validate_table(root / "data.csv", spec, root=root, previous=previous)

    return go


def source_error(broken: bool) -> Callable[[Path, pytest.MonkeyPatch], Report]:
    def go(root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
        if broken:  # pyarrow refusing a file whose bytes are valid UTF-8

            def fail(path: Path, names: list[str]) -> pa.Table:
                raise pa.ArrowInvalid("CSV parse error: unexpected end of data")

            monkeypatch.setattr(readers, "read_fast", fail)
        return csv_case("a,b\n1,2\n")(root)

    return go


CASES: dict[str, tuple[Any, Any]] = {
    "blank-table": (csv_case(""), csv_case("a,b\n1,2\n")),
    "binary-file": (raw_case(b"PK\x03\x04\x00\x00a,b\n"), raw_case(b"a,b\n1,2\n")),
    "encoding-error": (raw_case(b"a,b\n\xff\xfe,1\n"), raw_case("a,b\nđ,1\n".encode())),
    "source-error": (source_error(True), source_error(False)),
    "line-too-long": (
        raw_case(b"a,b\n" + b"x" * (9 << 20)),
        raw_case(b"a,b\n" + b"x" * (1 << 20) + b",1\n"),
    ),
    "blank-label": (csv_case("a,b,\n1,2,3\n"), csv_case("a,b\n1,2\n")),
    "duplicate-label": (csv_case("a,b,a\n1,2,3\n"), csv_case("a,b\n1,2\n")),
    "missing-label": (csv_case("a\n1\n"), csv_case("a,b\n1,2\n")),
    "extra-label": (csv_case("a,b,c\n1,2,3\n"), csv_case("a,b\n1,2\n")),
    "extra-cell": (csv_case("a,b\n1,2,3\n"), csv_case("a,b\n1,2\n")),
    "missing-cell": (csv_case("a,b\n1\n"), csv_case("a,b\n1,2\n")),
    "blank-row": (csv_case("a,b\n1,2\n,\n"), csv_case("a,b\n1,2\n")),
    "type-error": (csv_case("ma,so,ten\nM1,ba,An\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-required": (csv_case("ma,so,ten\n,3,An\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-enum": (csv_case("ma,so,ten\nM1,3,Dung\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-minimum": (csv_case("ma,so,ten\nM1,0,An\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-maximum": (csv_case("ma,so,ten\nM1,10,An\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-exclusive-minimum": (csv_case("ty_le\n0\n", EXC), csv_case("ty_le\n0.5\n", EXC)),
    "constraint-exclusive-maximum": (csv_case("ty_le\n1\n", EXC), csv_case("ty_le\n0.5\n", EXC)),
    "constraint-min-length": (csv_case("ma,so,ten\nM1,3,X\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-max-length": (csv_case("ma,so,ten\nM1,3,Binhhh\n", NUM), csv_case(GOOD_NUM, NUM)),
    "constraint-pattern": (csv_case("ma,so,ten\nM1,3,an\n", NUM), csv_case(GOOD_NUM, NUM)),
    "unique-error": (csv_case("ma,so,ten\nM1,3,An\nM2,3,An\n", NUM), csv_case(GOOD_NUM, NUM)),
    "primary-key": (csv_case("ma,so,ten\nM1,3,An\nM1,4,Binh\n", NUM), csv_case(GOOD_NUM, NUM)),
    "foreign-key": (
        csv_case(
            "a,b\n1,99\n",
            schema_of(
                {"name": "a"},
                {"name": "b"},
                foreignKeys=[{"fields": "b", "reference": {"resource": "dm", "fields": "b"}}],
            ),
            codelists={"dm": "b\n01\n"},
        ),
        csv_case(
            "a,b\n1,01\n",
            schema_of(
                {"name": "a"},
                {"name": "b"},
                foreignKeys=[{"fields": "b", "reference": {"resource": "dm", "fields": "b"}}],
            ),
            codelists={"dm": "b\n01\n"},
        ),
    ),
    "expectation-failed": (
        csv_case("ma,so,ten\nM1,7,An\n", NUM, suite=SUITE_OK),
        csv_case(GOOD_NUM, NUM, suite=SUITE_OK),
    ),
    "expectation-error": (gx_raises(True), gx_raises(False)),
    "suite-skipped": (
        csv_case("ma,so\nM1,3\n", NUM, suite=SUITE_OK),
        csv_case(GOOD_NUM, NUM, suite=SUITE_OK),
    ),
    "pii-cccd": (csv_case("a,b\n1,CCCD 022090001234\n"), csv_case("a,b\n1,MST 5700100256\n")),
    "pii-cmnd": (csv_case("a,b\n1,CMND 123456789\n"), csv_case("a,b\n1,số 12345678\n")),
    "pii-mobile": (csv_case("a,b\n1,0912345678\n"), csv_case("a,b\n1,0123456789\n")),
    "pii-landline": (csv_case("a,b\n1,0203 3835 123\n"), csv_case("a,b\n1,0203 38\n")),
    "pii-email": (csv_case("a,b\n1,an@gmail.com\n"), csv_case("a,b\n1,quangninh.gov.vn\n")),
    "pii-small-count": (
        quality_case(
            "a,n\nx,3\n",
            schema_of({"name": "a"}, {"name": "n", "type": "integer"}),
            QualitySpec(aggregate=AggregateSpec(count_fields=["n"])),
        ),
        quality_case(
            "a,n\nx,30\n",
            schema_of({"name": "a"}, {"name": "n", "type": "integer"}),
            QualitySpec(aggregate=AggregateSpec(count_fields=["n"])),
        ),
    ),
    "row-count-drift": (history_case(50), history_case(90)),
    "row-count-unchecked": (history_case(90, fail=True), history_case(90)),
    "schema-drift": (csv_case("a,bb\n1,2\n"), csv_case("b,a\n2,1\n")),
    "formula-injection": (
        quality_case("a,b\n=1+2,x\n", S2, QualitySpec(formula_injection="reject")),
        quality_case("a,b\n'=1+2,-5\n", S2, QualitySpec(formula_injection="reject")),
    ),
    "formula-escaped": (csv_case("a,b\n@SUM(A1),x\n"), csv_case("a,b\n-5,+84\n")),
    "total-row": (
        notes_case("a,b\n1,2\n", {"total_rows": [{"row": 3, "label": "Tổng cộng"}]}),
        notes_case(
            "a,b\n1,2\n", {"total_rows": [{"row": 3, "label": "Tổng cộng", "declared": True}]}
        ),
    ),
    "total-mismatch": (
        notes_case(
            "a,b\n1,2\n",
            {"totals": [{"row": 3, "field": "b", "total": "5", "sum": "2", "ok": False}]},
        ),
        notes_case(
            "a,b\n1,2\n",
            {"totals": [{"row": 3, "field": "b", "total": "2", "sum": "2", "ok": True}]},
        ),
    ),
}


def test_every_code_has_a_case_a_title_and_a_severity() -> None:
    assert sorted(CASES) == codes()
    for code in codes():
        assert code in TITLES and severity(code) in ("error", "warning")
        assert TEMPLATES[code]


def _report(case: Any, root: Path, monkeypatch: pytest.MonkeyPatch) -> Report:
    import inspect

    root.mkdir(parents=True, exist_ok=True)
    if len(inspect.signature(case).parameters) == 2:
        return case(root, monkeypatch)
    return case(root)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_code_fails_and_passes(
    code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad_case, good_case = CASES[code]
    bad = _report(bad_case, tmp_path / "bad", monkeypatch)
    assert code in bad.counts, (code, dict(bad.counts))
    found = bad.by_code(code)
    assert found and all(f.severity in ("error", "warning") for f in found)
    expected_severity = (
        severity(code) if code not in ("expectation-failed", "expectation-error") else "error"
    )
    assert bad.severities[code] == expected_severity
    for f in found:
        assert f.message and f.message != code and f.file
        assert not any(ch in f.message for ch in "{}")  # every placeholder filled
    monkeypatch.undo()
    good = _report(good_case, tmp_path / "good", monkeypatch)
    assert code not in good.counts, (code, good.to_dict()["findings"])
