"""Release notes: what a release changed, in Vietnamese (Markdown) and as JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .rowdelta import RowDiff
from .versioning import SchemaChange

LEVEL_VI = {
    "major": "thay đổi lớn (không tương thích)",
    "minor": "bổ sung tương thích",
    "patch": "cập nhật dữ liệu",
    "none": "không đổi cấu trúc",
}


@dataclass
class ReleaseNotes:
    version: str
    previous: str | None
    created: str
    level: str
    rows: int
    diff: RowDiff
    schema: SchemaChange
    validation: dict[str, Any] = field(default_factory=dict)
    note: str | None = None  # e.g. "Khôi phục phiên bản 1.0.0" for a rollback

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "previous_version": self.previous,
            "created": self.created,
            "level": self.level,
            "rows": self.rows,
            "rows_added": self.diff.added,
            "rows_removed": self.diff.removed,
            "rows_changed": self.diff.changed,
            "row_samples": self.diff.samples,
            "keyed_by": self.diff.keyed_by,
            "schema_changes": [c.to_dict() for c in self.schema.changes],
            "validation": self.validation,
            "note": self.note,
        }

    def summary_vi(self) -> str:
        return (
            f"Phiên bản {self.version}: {self.rows} dòng; thêm {self.diff.added}, "
            f"bớt {self.diff.removed}, sửa {self.diff.changed} dòng"
            + (f"; {len(self.schema.changes)} thay đổi cấu trúc" if self.schema.changes else "")
        )

    def markdown_vi(self) -> str:
        lines = [f"### Phiên bản {self.version} ({self.created[:10]})", ""]
        if self.note:
            lines += [self.note, ""]
        lines.append(
            f"- Loại thay đổi: {LEVEL_VI.get(self.level, self.level)}"
            + (f", so với phiên bản {self.previous}" if self.previous else " (phát hành lần đầu)")
        )
        lines.append(f"- Số dòng: {self.rows}")
        if self.previous:
            lines.append(
                f"- Dòng thêm mới: {self.diff.added}; dòng bị bỏ: {self.diff.removed}; "
                f"dòng thay đổi: {self.diff.changed}"
            )
        for change in self.schema.changes:
            lines.append(f"- {change.message}")
        if self.validation:
            errors = self.validation.get("error_count", 0)
            warnings = (
                sum(v for k, v in self.validation.get("warnings", {}).items())
                if isinstance(self.validation.get("warnings"), dict)
                else 0
            )
            lines.append(
                f"- Kiểm tra chất lượng: {errors} lỗi"
                + (f", {warnings} cảnh báo" if warnings else "")
            )
        return "\n".join(lines) + "\n"
