"""Frictionless Table Schemas, validated by frictionless itself, loaded into typed values."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dulieumo.errors import SpecError

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
        raise SpecError(f"{rel}: schema file not found.",
                        hint="Check the `schema:` path in the dataset spec.") from None
    except json.JSONDecodeError as exc:
        raise SpecError(f"{rel}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}",
                        hint="Fix the JSON syntax (a missing comma or quote?).") from None
    return schema_from_descriptor(descriptor, rel, path)


def schema_from_descriptor(descriptor: Any, rel: str, path: Path | None = None) -> TableSchema:
    from frictionless import Schema

    if not isinstance(descriptor, dict):
        raise SpecError(f"{rel}: a Table Schema must be a JSON object.")
    report = Schema.validate_descriptor(descriptor)
    if not report.valid:
        lines = []
        for err in report.flatten(["note"]):
            lines.append(f"{rel}: {err[0]}")
        raise SpecError("\n".join(lines[:20]),
                        hint="See https://specs.frictionlessdata.io/table-schema/ for the "
                        "allowed properties.")
    fields = []
    for i, f in enumerate(descriptor.get("fields", [])):
        ftype = f.get("type", "string")
        if ftype not in SUPPORTED_TYPES:
            raise SpecError(f"{rel}: fields[{i}].type: type '{ftype}' of field "
                            f"'{f.get('name')}' is not supported by dulieumo yet.",
                            hint=f"Use one of: {', '.join(sorted(SUPPORTED_TYPES))}.")
        fields.append(FieldSpec(
            name=f["name"], type=ftype, format=f.get("format", "default"),
            title=f.get("title"), description=f.get("description"),
            constraints=dict(f.get("constraints", {})),
            true_values=tuple(f.get("trueValues", DEFAULT_TRUE)),
            false_values=tuple(f.get("falseValues", DEFAULT_FALSE)),
            decimal_char=f.get("decimalChar", "."), group_char=f.get("groupChar", ""),
            bare_number=f.get("bareNumber", True),
        ))
    names = {f.name for f in fields}
    pk = _as_tuple(descriptor.get("primaryKey"))
    for key in pk:
        if key not in names:
            raise SpecError(f"{rel}: primaryKey: '{key}' is not a field of the schema.")
    fks = []
    for i, fk in enumerate(descriptor.get("foreignKeys", [])):
        own = _as_tuple(fk.get("fields"))
        ref = fk.get("reference", {})
        for key in own:
            if key not in names:
                raise SpecError(f"{rel}: foreignKeys[{i}].fields: '{key}' is not a field.")
        fks.append(ForeignKey(own, ref.get("resource", ""), _as_tuple(ref.get("fields"))))
    return TableSchema(tuple(fields), pk, tuple(fks),
                       tuple(descriptor.get("missingValues", [""])), descriptor, path)
