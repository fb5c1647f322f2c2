"""Great Expectations suites: the agency's business rules, evaluated by GX itself.

A suite is a GX 1.x ExpectationSuite in JSON; each expectation's `meta` carries our
`severity` (error|warning) and a Vietnamese `message_vi`. Loading builds GX's own expectation
objects (so GX checks the arguments) and compares every column named in the kwargs with the
Table Schema, so a typo fails `catalog check`, not a night run.

Bounds may be written as ISO dates ("2020-01-01") or "today" (the day of the run, resolved
when the suite runs).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dulieumo.errors import SpecError, SpecProblem

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema, _rel

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

COLUMN_KWARGS = ("column", "column_A", "column_B")
LIST_KWARGS = ("column_list", "column_set")


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    severity: str = "error"
    message_vi: str = ""
    index: int = 0  # position in the suite file

    @property
    def columns(self) -> list[str]:
        cols = [str(self.kwargs[k]) for k in COLUMN_KWARGS if k in self.kwargs]
        for key in LIST_KWARGS:
            cols += [str(c) for c in self.kwargs.get(key, [])]
        return cols


@dataclass(frozen=True)
class Suite:
    name: str
    expectations: tuple[ExpectationSpec, ...] = field(default_factory=tuple)
    path: Path | None = None

    def to_gx(self, *, name: str | None = None) -> Any:
        """A `great_expectations.ExpectationSuite` of GX's own expectation classes; each
        expectation's meta carries its index in our file (GX reorders results)."""
        import great_expectations as gx

        _context()  # GX 1.x needs an active context to add expectations to a suite
        suite = gx.ExpectationSuite(name=name or self.name)
        for exp in self.expectations:
            suite.add_expectation(_expectation(exp.type, exp.kwargs, exp.index))
        return suite


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _expectation(etype: str, kwargs: dict[str, Any], index: int) -> Any:
    import great_expectations as gx

    cls = getattr(gx.expectations, _class_name(etype))
    return cls(**_resolve(kwargs), meta={"dulieumo_index": index})


def load_suite(path: Path, schema: TableSchema, *, root: Path | None = None) -> Suite:
    """Read a suite and check it against GX and the schema; SpecError names the file and the
    expectation (``expectations[3].kwargs.column: unknown column 'so_giuongg'``)."""
    import great_expectations as gx

    rel = _rel(path, root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError.of(
            [SpecProblem(rel, "", "suite file not found.")],
            hint="Check the `suite:` path in the dataset spec.",
        ) from None
    except json.JSONDecodeError as exc:
        raise SpecError.of(
            [
                SpecProblem(
                    rel, "", f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
                )
            ]
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SpecError.of(
            [SpecProblem(rel, "expectations", "a suite is an object with an `expectations` list.")]
        )
    names = set(schema.names)
    out = []
    problems: list[SpecProblem] = []
    for i, exp in enumerate(data["expectations"]):
        where = f"expectations[{i}]"
        if not isinstance(exp, dict):
            problems.append(SpecProblem(rel, f"{where}", "each expectation must be an object"))
            continue
        etype = exp.get("type") or exp.get("expectation_type")
        if (
            not isinstance(etype, str)
            or not etype.startswith("expect_")
            or getattr(gx.expectations, _class_name(etype), None) is None
        ):
            problems.append(
                SpecProblem(rel, f"{where}.type", f"unknown expectation type '{etype}'")
            )
            continue
        kwargs = exp.get("kwargs", {})
        if not isinstance(kwargs, dict):
            problems.append(SpecProblem(rel, f"{where}.kwargs", "must be an object"))
            continue
        spec = ExpectationSpec(etype, dict(kwargs), index=i)
        for key in COLUMN_KWARGS:
            if key in kwargs and kwargs[key] not in names:
                problems.append(
                    SpecProblem(
                        rel,
                        f"{where}.kwargs.{key}",
                        f"unknown column '{kwargs[key]}' "
                        f"(columns of the schema: {', '.join(schema.names)})",
                    )
                )
        for key in LIST_KWARGS:
            for col in kwargs.get(key, []) or []:
                if col not in names:
                    problems.append(
                        SpecProblem(rel, f"{where}.kwargs.{key}", f"unknown column '{col}'")
                    )
        meta = exp.get("meta", {}) or {}
        severity = meta.get("severity", "error")
        if severity not in ("error", "warning"):
            problems.append(
                SpecProblem(
                    rel, f"{where}.meta.severity", f"must be 'error' or 'warning', not {severity!r}"
                )
            )
            severity = "error"
        message_vi = meta.get("message_vi", "")
        if not isinstance(message_vi, str):
            problems.append(SpecProblem(rel, f"{where}.meta.message_vi", "must be a string"))
            message_vi = ""
        problems += [SpecProblem(rel, where, p) for p in contradictions(etype, kwargs, schema)]
        try:
            _expectation(etype, kwargs, i)
        except Exception as exc:  # GX's own validation of the arguments
            problems.append(
                SpecProblem(rel, f"{where}.kwargs", f"{str(exc).splitlines()[0][:200]}")
            )
        out.append(ExpectationSpec(etype, spec.kwargs, severity, message_vi, i))
    if problems:
        raise SpecError.of(problems, hint=f"Fix {rel}, then check it: dulieumo catalog check")
    return Suite(str(data.get("name", path.stem)), tuple(out), path)


#: GX / pandas type names → the Table Schema types they can describe
_TYPE_FAMILY = {
    "numeric": (
        {"integer", "number", "year"},
        {
            "int",
            "int8",
            "int16",
            "int32",
            "int64",
            "integer",
            "uint8",
            "uint16",
            "uint32",
            "uint64",
            "float",
            "float16",
            "float32",
            "float64",
            "number",
            "numeric",
            "decimal",
        },
    ),
    "string": ({"string", "any"}, {"str", "string", "object", "unicode", "stringdtype"}),
    "boolean": ({"boolean"}, {"bool", "boolean", "bool_"}),
    "date": (
        {"date", "datetime"},
        {"datetime", "datetime64", "datetime64[ns]", "timestamp", "date", "datetimetz"},
    ),
}


def _type_family(gx_type: str) -> str | None:
    name = gx_type.lower()
    for family, (_, names) in _TYPE_FAMILY.items():
        if name in names or (family == "date" and name.startswith("datetime64")):
            return family
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def contradictions(etype: str, kwargs: dict[str, Any], schema: TableSchema) -> list[str]:
    """Expectations that the schema makes impossible to meet (or meaningless): a range
    disjoint from the field's minimum/maximum, a type the field does not have, a set
    disjoint from its enum, nulls expected in a required field."""
    column = kwargs.get("column")
    if not isinstance(column, str) or column not in schema.names:
        return []
    spec = schema.field(column)
    c = spec.constraints
    out: list[str] = []
    if etype == "expect_column_values_to_be_between":
        lo, hi = _number(kwargs.get("min_value")), _number(kwargs.get("max_value"))
        if spec.type in ("string", "boolean") and (lo is not None or hi is not None):
            out.append(
                f"kwargs: expects numbers between {kwargs.get('min_value')} and "
                f"{kwargs.get('max_value')} but the schema says '{column}' is a "
                f"{spec.type} field"
            )
        smin, smax = _number(c.get("minimum")), _number(c.get("maximum"))
        if spec.type in ("integer", "number", "year"):
            if hi is not None and smin is not None and hi < smin:
                out.append(
                    f"kwargs.max_value: {kwargs['max_value']} contradicts the schema: "
                    f"'{column}' has minimum {c['minimum']}, so no value can pass"
                )
            if lo is not None and smax is not None and lo > smax:
                out.append(
                    f"kwargs.min_value: {kwargs['min_value']} contradicts the schema: "
                    f"'{column}' has maximum {c['maximum']}, so no value can pass"
                )
    elif etype in ("expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"):
        wanted = (
            [kwargs.get("type_")]
            if etype.endswith("of_type")
            else list(kwargs.get("type_list") or [])
        )
        families = {_type_family(str(t)) for t in wanted if t}
        allowed = {f for f, (types, _) in _TYPE_FAMILY.items() if spec.type in types}
        if families and None not in families and not families & allowed:
            out.append(
                f"kwargs: expects type {', '.join(str(t) for t in wanted)} but the "
                f"schema says '{column}' is a {spec.type} field"
            )
    elif etype == "expect_column_values_to_be_in_set" and "enum" in c:
        value_set = {str(v) for v in kwargs.get("value_set") or []}
        if value_set and not value_set & {str(v) for v in c["enum"]}:
            out.append(
                f"kwargs.value_set: none of its values is in the schema's enum for "
                f"'{column}' ({', '.join(str(v) for v in c['enum'])})"
            )
    elif etype == "expect_column_values_to_be_null" and spec.required:
        out.append(f"expects '{column}' to be empty but the schema says it is required")
    return out


def _resolve(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`"today"` as a bound means the date of the run (e.g. dates not in the future); ISO
    dates become datetimes (GX compares datetime64 columns with datetimes)."""
    out = dict(kwargs)
    for key in ("min_value", "max_value"):
        value = out.get(key)
        if value == "today":
            out[key] = dt.datetime.combine(dt.date.today(), dt.time.max)
        elif isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
            try:
                out[key] = dt.datetime.fromisoformat(value)
            except ValueError:
                pass
    return out


_CONTEXT: Any = None
_COUNTER = itertools.count()


#: GX 1.24 keeps nothing of an evaluation once its data source is deleted: no frame, batch
#: definition, suite or result stays in the ephemeral context's stores (measured: ~0.7 KB of
#: Python objects per evaluation, no DataFrame alive; tests/validate/test_suite_memory.py), so
#: one context serves a whole streamed validation.


def _context() -> Any:
    """One ephemeral GX context per process: no files, no analytics, no progress bars."""
    global _CONTEXT
    if _CONTEXT is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _CONTEXT = gx.get_context(mode="ephemeral")
        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _CONTEXT


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, tuple):
        return ", ".join("" if v is None else str(_plain(v)) for v in value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: expectations about the table's set of columns: they need the frame with every column
WHOLE_TABLE = frozenset(
    {
        "expect_table_columns_to_match_ordered_list",
        "expect_table_columns_to_match_set",
        "expect_table_column_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_column_to_exist",
    }
)


def _needed_columns(suite: Suite, frame: pd.DataFrame) -> pd.DataFrame:
    """Only the columns the suite names (GX hashes and filters the whole frame it is given);
    the whole frame when an expectation is about the set of columns or has a row condition
    (whose column names are inside a string)."""
    if any(e.type in WHOLE_TABLE or e.kwargs.get("row_condition") for e in suite.expectations):
        return frame
    named = {c for e in suite.expectations for c in e.columns}
    cols = [c for c in frame.columns if c in named] or list(frame.columns[:1])
    return frame[cols] if len(cols) < len(frame.columns) else frame


def evaluate(suite: Suite, frame: pd.DataFrame, *, cap: int = 100) -> list[Any]:
    """GX's validation results for `frame` (one per expectation, in suite order)."""
    if not suite.expectations:
        return []
    ctx = _context()
    name = f"dulieumo_{os.getpid()}_{next(_COUNTER)}"
    source = ctx.data_sources.add_pandas(name)
    try:
        batch = (
            source.add_dataframe_asset("table")
            .add_batch_definition_whole_dataframe("all")
            .get_batch(batch_parameters={"dataframe": _needed_columns(suite, frame)})
        )
        result = batch.validate(
            suite.to_gx(name=name),
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": cap},
        )
    finally:
        ctx.data_sources.delete(name)  # with its asset and batch definition
    return sorted(result.results, key=lambda r: r.expectation_config.meta.get("dulieumo_index", 0))


def is_row_wise(exp: ExpectationSpec) -> bool:
    """True when each row passes or fails on its own (GX map expectations, except the
    uniqueness ones): such rules can be evaluated batch by batch."""
    import great_expectations as gx
    from great_expectations.expectations.expectation import (
        ColumnMapExpectation,
        ColumnPairMapExpectation,
        MulticolumnMapExpectation,
    )

    cls = getattr(gx.expectations, _class_name(exp.type))
    if "unique" in exp.type and not exp.type.endswith("within_record"):
        return False
    return issubclass(
        cls, ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation
    )


def subset(suite: Suite, row_wise: bool) -> Suite:
    return Suite(
        suite.name, tuple(e for e in suite.expectations if is_row_wise(e) is row_wise), suite.path
    )


def run_suite(
    suite: Suite, frame: pd.DataFrame, report: Report, *, file: str, row_offset: int = 0
) -> None:
    """Evaluate the suite with GX on the typed table; failures become findings."""
    by_index = {exp.index: exp for exp in suite.expectations}
    for res in evaluate(suite, frame, cap=report.cap):
        exp = by_index[res.expectation_config.meta.get("dulieumo_index", 0)]
        column = ", ".join(exp.columns) or None
        text = exp.message_vi or f"Quy tắc {exp.type} không đạt"
        details: dict[str, Any] = {
            "expectation": exp.type,
            "kwargs": exp.kwargs,
            "index": exp.index,
        }
        info = res.result or {}
        raised = (res.exception_info or {}).get("raised_exception") or any(
            isinstance(v, dict) and v.get("raised_exception")
            for v in (res.exception_info or {}).values()
        )
        if raised:
            report.add(
                Finding(
                    "expectation-error",
                    f"Không chạy được quy tắc {exp.type} ({text}); kiểm tra lại bộ kiểm tra.",
                    exp.severity,
                    file,
                    None,
                    column,
                    None,
                    details | {"error": _exception_text(res.exception_info)},
                )
            )
            continue
        if res.success:
            continue
        rows = info.get("partial_unexpected_index_list") or []
        values = info.get("partial_unexpected_list") or []
        total = int(info.get("unexpected_count") or len(rows) or 1)
        details["unexpected_count"] = total
        if "unexpected_percent" in info:
            details["unexpected_percent"] = round(float(info["unexpected_percent"]), 4)
        if rows:
            samples = []
            for i, idx in enumerate(rows[: report.cap]):
                row = int(idx) + 2 + row_offset if isinstance(idx, int | float) else None
                value = _plain(values[i]) if i < len(values) else None
                shown = f" (giá trị: {value})" if value is not None else ""
                samples.append(
                    Finding(
                        "expectation-failed",
                        message(
                            "expectation-failed",
                            message=f"Dòng {row}: {text}{shown}" if row else text,
                        ),
                        exp.severity,
                        file,
                        row,
                        column,
                        value,
                        details,
                    )
                )
            report.add_count("expectation-failed", exp.severity, total, samples)
        else:
            observed = info.get("observed_value")
            report.add(
                Finding(
                    "expectation-failed",
                    message(
                        "expectation-failed",
                        message=text
                        + (
                            f" (giá trị quan sát: {_plain(observed)})"
                            if observed is not None
                            else ""
                        ),
                    ),
                    exp.severity,
                    file,
                    None,
                    column,
                    _plain(observed),
                    details,
                )
            )


def _exception_text(info: Any) -> str:
    if not isinstance(info, dict):
        return str(info)[:300]
    if info.get("exception_message"):
        return str(info["exception_message"])[:300]
    for v in info.values():
        if isinstance(v, dict) and v.get("exception_message"):
            return str(v["exception_message"])[:300]
    return ""
