"""The validation summary as Prefect artifacts on the flow run (markdown + table)."""

from __future__ import annotations

import re
from typing import Any

from dulieumo.redact import mask_data, mask_text

from .findings import Report

MAX_ROWS = 50


def _key(dataset: str) -> str:
    return "validation-" + re.sub(r"[^a-z0-9-]+", "-", dataset.lower()).strip("-")


def markdown(report: Report, *, report_path: str | None = None) -> str:
    head = (
        "**Đạt** — không có lỗi"
        if report.ok
        else f"**Không đạt** — {report.error_count} lỗi, chưa công bố"
    )
    lines = [
        f"# Kiểm tra dữ liệu: {report.dataset}",
        "",
        f"{head}; {report.warning_count} cảnh báo; {report.rows:,} dòng; tệp `{report.file}`.",
        "",
    ]
    groups = report.groups()
    if groups:
        lines += ["| Mã | Loại | Mức | Số lượng | Ví dụ |", "|---|---|---|---:|---|"]
        for g in groups:
            example = g["samples"][0].message.replace("|", "\\|") if g["samples"] else ""
            level = "lỗi" if g["severity"] == "error" else "cảnh báo"
            lines.append(
                f"| `{g['code']}` | {g['title']} | {level} | {g['count']} | {example[:200]} |"
            )
    if report_path:
        lines += ["", f"Báo cáo đầy đủ: `{report_path}`"]
    return mask_text("\n".join(lines))


def table_rows(report: Report) -> list[dict[str, Any]]:
    return mask_data(
        [
            {
                "dòng": f.row,
                "cột": f.field,
                "mã": f.code,
                "mức": f.severity,
                "giá trị": f.value,
                "mô tả": f.message,
            }
            for f in report.sorted_findings()[:MAX_ROWS]
        ]
    )


def publish_artifacts(report: Report, *, report_path: str | None = None) -> list[Any]:
    """Create the artifacts when running inside a Prefect flow run; returns their ids."""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        return []
    key = _key(report.dataset)
    ids = [
        create_markdown_artifact(
            markdown(report, report_path=report_path),
            key=key,
            description=f"Kiểm tra dữ liệu {report.dataset}",
        )
    ]
    rows = table_rows(report)
    if rows:
        ids.append(
            create_table_artifact(rows, key=f"{key}-findings", description="Các lỗi tìm thấy (mẫu)")
        )
    return ids
