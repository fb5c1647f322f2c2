"""Release version numbers computed from what changed (semantic versioning for data).

MAJOR: the schema changed incompatibly (field removed or renamed, type narrowed, primary key
changed, a constraint tightened); MINOR: compatibly (field added, type widened, constraint
relaxed); PATCH: only rows or metadata changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["none", "patch", "minor", "major"]
_ORDER: dict[str, int] = {"none": 0, "patch": 1, "minor": 2, "major": 3}

#: type → the types it may widen to without breaking a consumer
_WIDENS_TO = {
    "integer": {"number", "string"},
    "year": {"integer", "number", "string"},
    "number": {"string"},
    "boolean": {"string"},
    "date": {"datetime", "string"},
    "datetime": {"string"},
    "time": {"string"},
}


@dataclass(frozen=True)
class Change:
    level: Level
    kind: str  # field-added, field-removed, type-changed, constraint-changed, primary-key, ...
    field: str | None
    message: str  # Vietnamese, for release notes

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kind": self.kind,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class SchemaChange:
    changes: list[Change] = field(default_factory=list)

    @property
    def level(self) -> Level:
        best: Level = "none"
        for c in self.changes:
            if _ORDER[c.level] > _ORDER[best]:
                best = c.level
        return best

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.level == "major"]


def primary_key(schema: dict[str, Any]) -> list[str]:
    """A Table Schema's primary key as a list of field names ([] when none)."""
    pk = schema.get("primaryKey") or []
    return [pk] if isinstance(pk, str) else list(pk)


def _constraint_changes(name: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    out: list[Change] = []

    def add(level: Level, what: str) -> None:
        out.append(Change(level, "constraint-changed", name, f"Cột {name}: {what}"))

    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key in ("required", "unique"):
            if b and not a:
                add("major", f"thêm ràng buộc {key}")
            else:
                add("minor", f"bỏ ràng buộc {key}")
        elif key in ("minimum", "minLength", "exclusiveMinimum"):
            tighter = b is not None and (a is None or b > a)
            add("major" if tighter else "minor", f"{key} đổi từ {a} thành {b}")
        elif key in ("maximum", "maxLength", "exclusiveMaximum"):
            tighter = b is not None and (a is None or b < a)
            add("major" if tighter else "minor", f"{key} đổi từ {a} thành {b}")
        elif key == "enum":
            removed = set(a or []) - set(b or []) if a is not None and b is not None else set()
            tighter = (a is None and b is not None) or bool(removed)
            add("major" if tighter else "minor", f"danh sách giá trị cho phép đổi từ {a} thành {b}")
        else:  # pattern and anything else: a new or changed rule may reject old data
            add("minor" if b is None else "major", f"{key} đổi từ {a!r} thành {b!r}")
    return out


def compare_schemas(old: dict[str, Any] | None, new: dict[str, Any]) -> SchemaChange:
    """What changed between two Table Schemas, each change with its version level."""
    result = SchemaChange()
    if old is None:
        return result
    old_fields = {f["name"]: f for f in old.get("fields", [])}
    new_fields = {f["name"]: f for f in new.get("fields", [])}
    for name in old_fields.keys() - new_fields.keys():
        result.changes.append(
            Change("major", "field-removed", name, f"Bỏ cột {name} (hoặc đổi tên)")
        )
    for name in new_fields.keys() - old_fields.keys():
        result.changes.append(Change("minor", "field-added", name, f"Thêm cột {name}"))
    for name in sorted(old_fields.keys() & new_fields.keys()):
        a, b = old_fields[name], new_fields[name]
        ta, tb = a.get("type", "string"), b.get("type", "string")
        if ta != tb:
            level: Level = "minor" if tb in _WIDENS_TO.get(ta, set()) else "major"
            result.changes.append(
                Change(
                    level, "type-changed", name, f"Cột {name}: kiểu dữ liệu đổi từ {ta} thành {tb}"
                )
            )
        if a.get("format", "default") != b.get("format", "default"):
            result.changes.append(
                Change(
                    "major",
                    "format-changed",
                    name,
                    f"Cột {name}: định dạng đổi từ {a.get('format')} thành {b.get('format')}",
                )
            )
        result.changes += _constraint_changes(
            name, a.get("constraints", {}), b.get("constraints", {})
        )
        for key in ("title", "description"):
            if a.get(key) != b.get(key):
                result.changes.append(
                    Change(
                        "patch", "description-changed", name, f"Cột {name}: cập nhật mô tả ({key})"
                    )
                )
    if primary_key(old) != primary_key(new):
        result.changes.append(
            Change(
                "major",
                "primary-key",
                None,
                f"Khóa chính đổi từ {primary_key(old)} thành {primary_key(new)}",
            )
        )
    old_order = [n for n in old_fields if n in new_fields]
    new_order = [n for n in new_fields if n in old_fields]
    if old_order != new_order:
        result.changes.append(Change("minor", "field-order", None, "Đổi thứ tự các cột"))
    return result


def bump(previous: str | None, level: Level) -> str:
    """The next version: 1.0.0 for the first release."""
    if previous is None:
        return "1.0.0"
    major, minor, patch = (int(x) for x in previous.split("."))
    if level == "major":
        return f"{major + 1}.0.0"
    if level == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def version_key(version: str) -> tuple[int, int, int]:
    a, b, c = (int(x) for x in version.split("."))
    return a, b, c
