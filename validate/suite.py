"""Great Expectations suites: the agency's business rules, evaluated by GX itself.

A suite is a GX 1.x ExpectationSuite in JSON; each expectation's `meta` carries our
`severity` (error|warning) and a Vietnamese `message_vi`. Column names are checked against
the Table Schema when the suite is loaded, so a typo fails `catalog check`, not a night run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from dulieumo.errors import SpecError

from .findings import Finding, Report
from .messages import message
from .schema import TableSchema

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

COLUMN_KWARGS = ("column", "column_A", "column_B")
LIST_KWARGS = ("column_list",)


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict[str, Any]
    severity: str = "error"
    message_vi: str = ""


@dataclass(frozen=True)
class Suite:
    name: str
    expectations: tuple[ExpectationSpec, ...] = field(default_factory=tuple)
    path: Path | None = None


def _class_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def load_suite(path: Path, schema: TableSchema, *, root: Path | None = None) -> Suite:
    import great_expectations as gx

    rel = _rel(path, root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{rel}: suite file not found.",
                        hint="Check the `suite:` path in the dataset spec.") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"{rel}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("expectations"), list):
        raise SpecError(f"{rel}: a suite is an object with an `expectations` list.")
    names = set(schema.names)
    out = []
    problems = []
    for i, exp in enumerate(data["expectations"]):
        where = f"{rel}: expectations[{i}]"
        etype = exp.get("type") or exp.get("expectation_type")
        cls = getattr(gx.expectations, _class_name(str(etype)), None)
        if not etype or cls is None:
            problems.append(f"{where}.type: unknown expectation '{etype}'")
            continue
        kwargs = dict(exp.get("kwargs", {}))
        for key in COLUMN_KWARGS:
            if key in kwargs and kwargs[key] not in names:
                problems.append(f"{where}.kwargs.{key}: unknown column '{kwargs[key]}' "
                                f"(columns: {', '.join(schema.names)})")
        for key in LIST_KWARGS:
            for col in kwargs.get(key, []):
                if col not in names:
                    problems.append(f"{where}.kwargs.{key}: unknown column '{col}'")
        meta = exp.get("meta", {})
        severity = meta.get("severity", "error")
        if severity not in ("error", "warning"):
            problems.append(f"{where}.meta.severity: must be error or warning")
        try:
            cls(**_resolve(kwargs))
        except Exception as exc:  # GX's own validation of the arguments
            problems.append(f"{where}.kwargs: {str(exc).splitlines()[0][:200]}")
        out.append(ExpectationSpec(str(etype), kwargs, severity,
                                   meta.get("message_vi", "")))
    if problems:
        raise SpecError("\n".join(problems),
                        hint=f"Fix {rel}, then check it: dulieumo catalog check")
    return Suite(str(data.get("name", path.stem)), tuple(out), path)


def _resolve(kwargs: dict[str, Any]) -> dict[str, Any]:
    """`"today"` as a bound means the date of the run (e.g. dates not in the future)."""
    out = dict(kwargs)
    for key in ("min_value", "max_value"):
        if out.get(key) == "today":
            out[key] = dt.datetime.combine(dt.date.today(), dt.time.max)
        elif isinstance(out.get(key), str) and len(out[key]) == 10 and out[key][4] == "-":
            try:
                out[key] = dt.datetime.fromisoformat(out[key])
            except ValueError:
                pass
    return out


_CONTEXT: Any = None


def _context() -> Any:
    global _CONTEXT
    if _CONTEXT is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        _CONTEXT = gx.get_context(mode="ephemeral")
        _CONTEXT.variables.progress_bars = ProgressBarsConfig(globally=False)
    return _CONTEXT


def run_suite(suite: Suite, frame: pd.DataFrame, report: Report, *, file: str) -> None:
    """Evaluate the suite with GX on the typed table; failures become findings."""
    import great_expectations as gx

    if not suite.expectations:
        return
    ctx = _context()
    name = f"s{abs(hash((suite.name, id(frame))))}"
    source = ctx.data_sources.add_pandas(name)
    try:
        batch = source.add_dataframe_asset("table").add_batch_definition_whole_dataframe(
            "all").get_batch(batch_parameters={"dataframe": frame})
        gx_suite = gx.ExpectationSuite(name=name)
        for exp in suite.expectations:
            cls = getattr(gx.expectations, _class_name(exp.type))
            gx_suite.add_expectation(cls(**_resolve(exp.kwargs)))
        result = batch.validate(gx_suite, result_format={
            "result_format": "COMPLETE", "partial_unexpected_count": report.cap})
    finally:
        ctx.data_sources.delete(name)
    for exp, res in zip(suite.expectations, result.results, strict=True):
        if res.success:
            continue
        info = res.result or {}
        column = exp.kwargs.get("column") or ", ".join(
            str(exp.kwargs[k]) for k in ("column_A", "column_B") if k in exp.kwargs) or None
        text = exp.message_vi or f"Quy tắc {exp.type} không đạt"
        details = {"expectation": exp.type, "kwargs": exp.kwargs}
        rows = info.get("unexpected_index_list") or []
        values = info.get("unexpected_list") or []
        total = int(info.get("unexpected_count") or len(rows) or 1)
        if rows:
            samples = []
            for i, idx in enumerate(rows[: report.cap]):
                row = int(idx) + 2 if isinstance(idx, (int, float)) else None
                value = values[i] if i < len(values) else None
                samples.append(Finding(
                    "expectation-failed",
                    message("expectation-failed",
                            message=f"Dòng {row}: {text}" if row else text),
                    exp.severity, file, row, column,
                    None if value is None else str(value), details))
            report.add_count("expectation-failed", exp.severity, total, samples)
        else:
            observed = info.get("observed_value")
            report.add(Finding(
                "expectation-failed",
                message("expectation-failed", message=text + (
                    f" (giá trị quan sát: {observed})" if observed is not None else "")),
                exp.severity, file, None, column,
                None if observed is None else str(observed), details))
