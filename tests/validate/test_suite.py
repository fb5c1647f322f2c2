"""GX suites: loading (GX's own classes, schema columns) and failures turned into findings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dulieumo.errors import SpecError
from tests.validate.helpers import keys, run, schema_of, write_json, write_text
from validate.schema import load_schema
from validate.suite import load_suite

SCHEMA = schema_of(
    {"name": "ma", "constraints": {"required": True}},
    {"name": "so_hoc_sinh", "type": "integer"},
    {"name": "so_giao_vien", "type": "integer"},
    {"name": "ngay", "type": "date"},
    {"name": "loai"},
)


def exp(etype: str, severity: str = "error", message: str = "", **kwargs: object) -> dict:
    return {"type": etype, "kwargs": kwargs, "meta": {"severity": severity, "message_vi": message}}


def suite(*expectations: dict) -> dict:
    return {"name": "truong-hoc", "expectations": list(expectations)}


CSV = (
    "ma,so_hoc_sinh,so_giao_vien,ngay,loai\n"
    "T1,500,30,2024-01-01,THCS\n"  # 2
    "T2,-5,10,2024-01-01,THCS\n"  # 3 negative pupils
    "T3,20,25,2024-01-01,THPT\n"  # 4 more teachers than pupils
    "T4,300,,2099-01-01,THPT\n"  # 5 teachers missing, date in the future
    "T5,,10,2024-01-01,THCS\n"
)  # 6 pupils missing


def test_loads_into_gx_expectation_suite(tmp_path: Path) -> None:
    import great_expectations as gx

    schema = load_schema(write_json(tmp_path / "s.json", SCHEMA))
    s = load_suite(
        write_json(
            tmp_path / "v.json",
            suite(
                exp("expect_column_values_to_be_between", column="so_hoc_sinh", min_value=0),
                exp("expect_column_values_to_not_be_null", "warning", column="so_giao_vien"),
            ),
        ),
        schema,
    )
    assert [e.type for e in s.expectations] == [
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
    ]
    assert s.expectations[1].severity == "warning"
    gx_suite = s.to_gx()
    assert isinstance(gx_suite, gx.ExpectationSuite)
    assert isinstance(gx_suite.expectations[0], gx.expectations.ExpectColumnValuesToBeBetween)


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        (
            exp("expect_column_values_to_be_between", column="so_hoc_sinhh", min_value=0),
            "expectations[1].kwargs.column: unknown column 'so_hoc_sinhh'",
        ),
        (
            exp(
                "expect_column_pair_values_a_to_be_greater_than_b",
                column_A="so_hoc_sinh",
                column_B="giao_vien",
            ),
            "expectations[1].kwargs.column_B: unknown column 'giao_vien'",
        ),
        (
            exp("expect_values_to_be_nice", column="ma"),
            "expectations[1].type: unknown expectation type 'expect_values_to_be_nice'",
        ),
        (
            exp("expect_column_values_to_not_be_null", "fatal", column="ma"),
            "expectations[1].meta.severity",
        ),
        (
            exp("expect_column_values_to_be_between", column="ma", mostly=7),
            "expectations[1].kwargs",
        ),
    ],
)
def test_bad_suite_names_file_and_expectation(tmp_path: Path, bad: dict, where: str) -> None:
    schema = load_schema(write_json(tmp_path / "s.json", SCHEMA))
    path = write_json(
        tmp_path / "validations" / "so-gd" / "truong.json",
        suite(exp("expect_column_values_to_not_be_null", column="ma"), bad),
    )
    with pytest.raises(SpecError) as err:
        load_suite(path, schema, root=tmp_path)
    assert f"validations/so-gd/truong.json: {where}" in str(err.value)


def test_failed_expectations_become_findings(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        CSV,
        SCHEMA,
        suite(
            exp(
                "expect_column_values_to_be_between",
                message="Số học sinh không được âm",
                column="so_hoc_sinh",
                min_value=0,
            ),
            exp(
                "expect_column_values_to_not_be_null",
                "warning",
                "Thiếu số giáo viên",
                column="so_giao_vien",
            ),
            exp(
                "expect_column_pair_values_a_to_be_greater_than_b",
                "error",
                "Số học sinh phải không nhỏ hơn số giáo viên",
                column_A="so_hoc_sinh",
                column_B="so_giao_vien",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            exp(
                "expect_column_values_to_be_between",
                message="Ngày không được ở tương lai",
                column="ngay",
                max_value="today",
            ),
            exp(
                "expect_table_row_count_to_be_between",
                message="Cần ít nhất 10 trường",
                min_value=10,
            ),
        ),
    )
    found = {(f.details["index"], f.row, f.field, f.severity) for f in rep.findings}
    assert found == {
        (0, 3, "so_hoc_sinh", "error"),
        (1, 5, "so_giao_vien", "warning"),
        (2, 3, "so_hoc_sinh, so_giao_vien", "error"),
        (2, 4, "so_hoc_sinh, so_giao_vien", "error"),
        (3, 5, "ngay", "error"),
        (4, None, None, "error"),
    }
    assert rep.counts["expectation-failed"] == 6
    assert rep.error_count == 5 and rep.warning_count == 1
    first = next(f for f in rep.findings if f.details["index"] == 0)
    assert first.message == "Dòng 3: Số học sinh không được âm (giá trị: -5)"
    assert first.value == "-5"
    assert first.details["expectation"] == "expect_column_values_to_be_between"
    assert first.details["kwargs"] == {"column": "so_hoc_sinh", "min_value": 0}
    count = next(f for f in rep.findings if f.details["index"] == 4)
    assert count.message == "Cần ít nhất 10 trường (giá trị quan sát: 5)"


def test_warning_only_suite_keeps_the_report_ok(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        CSV.replace("-5", "5"),
        SCHEMA,
        suite(
            exp(
                "expect_column_values_to_not_be_null",
                "warning",
                "Thiếu số giáo viên",
                column="so_giao_vien",
            )
        ),
    )
    assert rep.ok and rep.warning_count == 1


def test_mostly_lets_a_few_failures_pass(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        CSV,
        SCHEMA,
        suite(exp("expect_column_values_to_not_be_null", column="so_giao_vien", mostly=0.7)),
    )
    assert "expectation-failed" not in rep.counts


def test_gx_samples_are_capped_with_full_counts(tmp_path: Path) -> None:
    text = "ma,so_hoc_sinh,so_giao_vien,ngay,loai\n" + "".join(
        f"T{i},-{i},1,2024-01-01,X\n" for i in range(1, 301)
    )
    rep = run(
        tmp_path,
        text,
        SCHEMA,
        suite(exp("expect_column_values_to_be_between", column="so_hoc_sinh", min_value=0)),
        cap=25,
    )
    assert rep.counts["expectation-failed"] == 300
    samples = rep.by_code("expectation-failed")
    assert len(samples) == 25 and [f.row for f in samples[:3]] == [2, 3, 4]


def test_suite_is_skipped_when_the_header_is_broken(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        CSV.replace("so_giao_vien", "so_gv"),
        SCHEMA,
        suite(exp("expect_column_values_to_be_between", column="so_hoc_sinh", min_value=0)),
    )
    assert rep.counts["missing-label"] == 1 and rep.counts["suite-skipped"] == 1
    skipped = rep.by_code("suite-skipped")[0]
    assert skipped.severity == "warning" and "Chưa kiểm tra" in skipped.message
    assert "expectation-failed" not in rep.counts


def test_today_bound_is_the_run_date(tmp_path: Path) -> None:
    today = dt.date.today()
    tomorrow = today + dt.timedelta(days=1)
    text = f"ma,so_hoc_sinh,so_giao_vien,ngay,loai\nA,1,1,{today},X\nB,1,1,{tomorrow},X\n"
    rep = run(
        tmp_path,
        text,
        SCHEMA,
        suite(exp("expect_column_values_to_be_between", column="ngay", max_value="today")),
    )
    assert [f.row for f in rep.by_code("expectation-failed")] == [3]


# --------------------------------------------------------------------------- contradictions

CONTRA_SCHEMA = {
    "fields": [
        {"name": "so_giuong", "type": "integer", "constraints": {"minimum": 200}},
        {"name": "ty_le", "type": "number", "constraints": {"maximum": 1}},
        {"name": "ten", "constraints": {"required": True}},
        {"name": "loai", "constraints": {"enum": ["A", "B"]}},
    ]
}


@pytest.mark.parametrize(
    ("expectation", "needle"),
    [
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "so_giuong", "min_value": 0, "max_value": 100},
            },
            r"expectations\[0\].*max_value: 100 contradicts the schema: "
            r"'so_giuong' has minimum 200",
        ),
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "ty_le", "min_value": 5},
            },
            r"min_value: 5 contradicts the schema: 'ty_le' has maximum 1",
        ),
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "ten", "min_value": 0, "max_value": 9},
            },
            r"'ten' is a string field",
        ),
        (
            {
                "type": "expect_column_values_to_be_of_type",
                "kwargs": {"column": "so_giuong", "type_": "str"},
            },
            r"expects type str but the schema says 'so_giuong' is a integer field",
        ),
        (
            {
                "type": "expect_column_values_to_be_in_type_list",
                "kwargs": {"column": "ten", "type_list": ["int64", "float64"]},
            },
            r"'ten' is a string field",
        ),
        (
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "loai", "value_set": ["X", "Y"]},
            },
            r"value_set: none of its values is in the schema's enum for 'loai'",
        ),
        (
            {"type": "expect_column_values_to_be_null", "kwargs": {"column": "ten"}},
            r"'ten' to be empty but the schema says it is required",
        ),
    ],
)
def test_suite_contradicting_the_schema_is_a_spec_error(
    tmp_path: Path, expectation: dict, needle: str
) -> None:
    schema = load_schema(write_json(tmp_path / "s.json", CONTRA_SCHEMA))
    path = write_json(tmp_path / "suite.json", {"expectations": [expectation]})
    with pytest.raises(SpecError, match=needle) as exc:
        load_suite(path, schema, root=tmp_path)
    assert "suite.json" in str(exc.value)


@pytest.mark.parametrize(
    "expectation",
    [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "so_giuong", "min_value": 200, "max_value": 2000},
        },
        {
            "type": "expect_column_values_to_be_of_type",
            "kwargs": {"column": "so_giuong", "type_": "float64"},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "loai", "value_set": ["A"]},
        },
    ],
)
def test_suite_consistent_with_the_schema_loads(tmp_path: Path, expectation: dict) -> None:
    schema = load_schema(write_json(tmp_path / "s.json", CONTRA_SCHEMA))
    suite = load_suite(write_json(tmp_path / "suite.json", {"expectations": [expectation]}), schema)
    assert len(suite.expectations) == 1


def test_dates_reach_gx_as_nanoseconds_and_far_dates_still_check(tmp_path: Path) -> None:
    """GX compares datetime64[ns] vectorised; a date beyond 2262 cannot be in nanoseconds and
    is still checked (row by row) instead of failing the run."""
    from validate.stage import typed_frame

    schema = load_schema(write_json(tmp_path / "s.json", SCHEMA))
    frame = typed_frame(write_text(tmp_path / "d.csv", CSV), schema, nullable=False)
    assert str(frame["ngay"].dtype) == "datetime64[ns]"
    far = CSV.replace("2099-01-01", "2999-01-01")
    report = run(
        tmp_path,
        far,
        SCHEMA,
        suite(exp("expect_column_values_to_be_between", column="ngay", max_value="today")),
    )
    assert keys(report, "expectation-failed") == {(5, "ngay")}


def test_suite_gets_every_column_when_it_speaks_of_the_columns(tmp_path: Path) -> None:
    """GX is handed only the columns a suite names, except for expectations about the set of
    columns: a column count must see the whole table."""
    report = run(
        tmp_path,
        CSV,
        SCHEMA,
        suite(
            exp("expect_table_column_count_to_equal", value=5),
            exp("expect_column_values_to_be_between", column="so_hoc_sinh", min_value=0),
        ),
    )
    assert keys(report, "expectation-failed") == {(3, "so_hoc_sinh")}
    wrong = run(
        tmp_path,
        CSV,
        SCHEMA,
        suite(
            exp("expect_table_column_count_to_equal", value=2),
            exp("expect_column_values_to_not_be_null", column="ma"),
        ),
    )
    assert [f.code for f in wrong.findings] == ["expectation-failed"]
