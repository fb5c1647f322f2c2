"""Frictionless Table Schemas, validated by frictionless itself, loaded into typed values."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulieumo.errors import SpecError, SpecProblem

SUPPORTED_TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "year", "any"}
DEFAULT_TRUE = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE = ["false", "False", "FALSE", "0"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str = "string"
    format: str = "default"
    title: str | None = None
    description: str | None = None
    constraints: dict[str, Any] = field(default_factory=dict)
    true_values: tuple[str, ...] = tuple(DEFAULT_TRUE)
    false_values: tuple[str, ...] = tuple(DEFAULT_FALSE)
    decimal_char: str = "."
    group_char: str = ""
    bare_number: bool = True
    number_processed: bool = False  # decimalChar/groupChar/bareNumber given (frictionless)

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class ForeignKey:
    fields: tuple[str, ...]
    resource: str
    reference_fields: tuple[str, ...]


@dataclass(frozen=True)
class TableSchema:
    fields: tuple[FieldSpec, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] = ("",)
    descriptor: dict[str, Any] = field(default_factory=dict, compare=False)
    path: Path | None = None

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _rel(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


def load_schema(path: Path, *, root: Path | None = None) -> TableSchema:
    """Read and check a Table Schema; SpecError names the file and the bad property."""
    rel = _rel(path, root)
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError.of(
            [SpecProblem(rel, "", "schema file not found.")],
            hint="Check the `schema:` path in the dataset spec.",
        ) from None
    except json.JSONDecodeError as exc:
        raise SpecError.of(
            [
                SpecProblem(
                    rel, "", f"line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}"
                )
            ],
            hint="Fix the JSON syntax (a missing comma or quote?).",
        ) from None
    return schema_from_descriptor(descriptor, rel, path)


def _is_date(text: str, fmt: str) -> bool:
    try:
        if fmt in ("default", "any"):
            dt.date.fromisoformat(text)
        else:
            dt.datetime.strptime(text, fmt)
    except ValueError:
        return False
    return True


def _problems(d: dict[str, Any]) -> list[tuple[str, str]]:
    """Structural problems as (property path, what is wrong) (frictionless stops at the first
    error and does not say where; these name the property)."""
    out: list[tuple[str, str]] = []
    fields = d.get("fields")
    if not isinstance(fields, list) or not fields:
        return [("fields", "a Table Schema needs a non-empty `fields` list")]
    names: list[str] = []
    for i, f in enumerate(fields):
        at = f"fields[{i}]"
        if not isinstance(f, dict):
            out.append((f"{at}", "each field must be an object"))
            continue
        name = f.get("name")
        if not isinstance(name, str) or not name:
            out.append((f"{at}.name", "each field needs a non-empty name"))
        elif name in names:
            out.append((f"{at}.name", f"field '{name}' is declared twice"))
        else:
            names.append(name)
        ftype = f.get("type", "string")
        if ftype not in SUPPORTED_TYPES:
            out.append(
                (
                    f"{at}.type",
                    f"type '{ftype}' is not supported "
                    f"(use one of: {', '.join(sorted(SUPPORTED_TYPES))})",
                )
            )
        fmt = f.get("format", "default")
        if ftype in ("date", "datetime") and fmt not in ("default", "any") and "%" not in fmt:
            out.append((f"{at}.format", f"'{fmt}' is not a date format (e.g. %d/%m/%Y)"))
        for key in ("trueValues", "falseValues", "missingValues"):
            if key in f and not (
                isinstance(f[key], list) and all(isinstance(v, str) for v in f[key])
            ):
                out.append((f"{at}.{key}", "must be a list of strings"))
        c = f.get("constraints", {})
        if not isinstance(c, dict):
            out.append((f"{at}.constraints", "must be an object"))
            continue
        for key in ("required", "unique"):
            if key in c and not isinstance(c[key], bool):
                out.append((f"{at}.constraints.{key}", f"must be true or false, not {c[key]!r}"))
        for key in ("minLength", "maxLength"):
            if key in c and (not isinstance(c[key], int) or isinstance(c[key], bool)):
                out.append((f"{at}.constraints.{key}", "must be an integer"))
        if "enum" in c and not (isinstance(c["enum"], list) and c["enum"]):
            out.append((f"{at}.constraints.enum", "must be a non-empty list"))
        if "pattern" in c:
            try:
                re.compile(str(c["pattern"]))
            except re.error as exc:
                out.append((f"{at}.constraints.pattern", f"invalid regular expression: {exc}"))
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            if key in c and ftype in ("integer", "number", "year"):
                try:
                    float(str(c[key]))
                except ValueError:
                    out.append((f"{at}.constraints.{key}", f"{c[key]!r} is not a number"))
            elif key in c and ftype == "date" and not _is_date(str(c[key]), fmt):
                out.append(
                    (
                        f"{at}.constraints.{key}",
                        f"{c[key]!r} is not a date in the field's format ({fmt})",
                    )
                )
    pk = _as_tuple(d.get("primaryKey"))
    for key in pk:
        if key not in names:
            out.append(("primaryKey", f"'{key}' is not a field of the schema"))
    fks = d.get("foreignKeys", [])
    if not isinstance(fks, list):
        return [*out, ("foreignKeys", "must be a list")]
    for i, fk in enumerate(fks):
        at = f"foreignKeys[{i}]"
        if not isinstance(fk, dict) or not isinstance(fk.get("reference"), dict):
            out.append((f"{at}", "needs `fields` and a `reference` object"))
            continue
        own = _as_tuple(fk.get("fields"))
        for key in own:
            if key not in names:
                out.append((f"{at}.fields", f"'{key}' is not a field of the schema"))
        ref = fk["reference"]
        if not ref.get("resource"):
            out.append((f"{at}.reference.resource", "name the code list (codelists/<name>.csv)"))
        if len(_as_tuple(ref.get("fields"))) != len(own):
            out.append((f"{at}.reference.fields", "must name as many fields as `fields`"))
    mv = d.get("missingValues", [""])
    if not (isinstance(mv, list) and all(isinstance(v, str) for v in mv)):
        out.append(("missingValues", "must be a list of strings"))
    return out


def _frictionless_problems(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    """What frictionless' own metadata validation says, located to a field when possible.

    Its verdict depends on the descriptor and frictionless' version only: a "no problem" is
    remembered (an empty file named by their hash under <work dir>/cache/schema-checks), so
    that a run that loads an unchanged schema again does not import frictionless (~0.2 s).
    Problems are always computed afresh."""
    known = _verdict_file(descriptor)
    if known is not None and known.is_file():
        return []
    problems = _frictionless_check(descriptor)
    if not problems and known is not None:
        with suppress(OSError):
            known.parent.mkdir(parents=True, exist_ok=True)
            known.touch()
    return problems


def _verdict_file(descriptor: dict[str, Any]) -> Path | None:
    from importlib.metadata import PackageNotFoundError, version

    from dulieumo.paths import work_root

    try:
        text = json.dumps(descriptor, sort_keys=True, ensure_ascii=False)
        key = f"frictionless {version('frictionless')}\n{text}"
    except (PackageNotFoundError, TypeError, ValueError):
        return None
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return work_root() / "cache" / "schema-checks" / digest


def _frictionless_check(descriptor: dict[str, Any]) -> list[tuple[str, str]]:
    from frictionless import Field, Schema

    report = Schema.validate_descriptor(descriptor)
    if report.valid:
        return []
    for i, f in enumerate(descriptor.get("fields", [])):
        field_report = Field.validate_descriptor(f)
        if not field_report.valid:
            return [(f"fields[{i}]", e.note) for e in field_report.errors]
    return [("", e.note) for e in report.errors]


def schema_from_descriptor(descriptor: Any, rel: str, path: Path | None = None) -> TableSchema:
    if not isinstance(descriptor, dict):
        raise SpecError.of([SpecProblem(rel, "", "a Table Schema must be a JSON object.")])
    problems = _problems(descriptor) or _frictionless_problems(descriptor)
    if problems:
        raise SpecError.of(
            [SpecProblem(rel, where, what) for where, what in problems[:20]],
            hint="See https://specs.frictionlessdata.io/table-schema/ for the allowed properties.",
        )
    fields = []
    for f in descriptor["fields"]:
        fields.append(
            FieldSpec(
                name=f["name"],
                type=f.get("type", "string"),
                format=f.get("format", "default"),
                title=f.get("title"),
                description=f.get("description"),
                constraints=dict(f.get("constraints", {})),
                true_values=tuple(f.get("trueValues", DEFAULT_TRUE)),
                false_values=tuple(f.get("falseValues", DEFAULT_FALSE)),
                decimal_char=f.get("decimalChar", "."),
                group_char=f.get("groupChar", ""),
                bare_number=f.get("bareNumber", True),
                number_processed=any(k in f for k in ("decimalChar", "groupChar", "bareNumber")),
            )
        )
    fks = []
    for fk in descriptor.get("foreignKeys", []):
        ref = fk["reference"]
        fks.append(ForeignKey(_as_tuple(fk["fields"]), ref["resource"], _as_tuple(ref["fields"])))
    return TableSchema(
        tuple(fields),
        _as_tuple(descriptor.get("primaryKey")),
        tuple(fks),
        tuple(descriptor.get("missingValues", [""])),
        descriptor,
        path,
    )
