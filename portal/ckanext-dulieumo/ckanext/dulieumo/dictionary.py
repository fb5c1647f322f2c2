"""The data dictionary as citizens read it: Vietnamese type names instead of PostgreSQL's."""

from __future__ import annotations

from typing import Any

#: PostgreSQL type (as the DataStore reports it) → how the portal names it
TYPE_LABELS = {
    "int2": "số nguyên",
    "int4": "số nguyên",
    "int8": "số nguyên",
    "integer": "số nguyên",
    "bigint": "số nguyên",
    "numeric": "số thực",
    "float4": "số thực",
    "float8": "số thực",
    "text": "văn bản",
    "varchar": "văn bản",
    "bool": "đúng/sai",
    "boolean": "đúng/sai",
    "date": "ngày",
    "timestamp": "ngày giờ",
    "timestamptz": "ngày giờ",
    "time": "giờ",
    "json": "dữ liệu JSON",
    "jsonb": "dữ liệu JSON",
}


def type_label(field: dict[str, Any] | str) -> str:
    """'số nguyên' for int8, … (an array type: 'danh sách <type>'); unknown types as they are."""
    native = field if isinstance(field, str) else str(field.get("type") or "")
    if native.startswith("_"):
        return f"danh sách {type_label(native[1:])}"
    return TYPE_LABELS.get(native.lower(), native)
