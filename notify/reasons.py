"""Plain-Vietnamese reasons and next steps for run statuses, error codes and finding codes.

The run history keeps the technical reason (English, for developers); a data officer reads
these instead. Unknown codes fall back to a generic sentence plus the technical detail, so a
code added later by another stage never makes a notification fail.
"""

from __future__ import annotations

from collections.abc import Mapping

from dulieumo.runstatus import RunStatus

#: run status → what happened, in a few words
STATUS_VI = {
    RunStatus.PUBLISHED: "Đã công bố phiên bản mới",
    RunStatus.UNCHANGED: "Dữ liệu không thay đổi (không cần công bố lại)",
    RunStatus.INVALID: "Dữ liệu không đạt kiểm tra, chưa công bố",
    RunStatus.FAILED: "Lỗi, chưa công bố",
    RunStatus.SKIPPED: "Bỏ qua",
    RunStatus.PLANNED: "Chạy thử, không ghi gì",
}

#: error code (dulieumo.errors) → (reason, next step); {dataset} is replaced
ERROR_VI: dict[str, tuple[str, str]] = {
    "spec-error": (
        "Tệp khai báo bộ dữ liệu (thư mục datasets/, schemas/ hoặc validations/) bị sai.",
        "Sửa tệp được nêu trong chi tiết kỹ thuật, chạy `dulieumo catalog check` cho đến khi "
        "báo «Catalogue OK.», rồi chạy lại `dulieumo publish {dataset}`.",
    ),
    "source-error": (
        "Không đọc được dữ liệu nguồn của cơ quan (tệp không tồn tại, địa chỉ sai, tệp "
        "không đúng định dạng hoặc không đúng bảng mã).",
        "Kiểm tra tệp hoặc địa chỉ nguồn khai báo trong mục `source:` (đường dẫn, quyền truy "
        "cập, định dạng CSV/Excel), rồi chạy lại `dulieumo publish {dataset}`.",
    ),
    "source-unavailable": (
        "Máy chủ nguồn của cơ quan tạm thời không phản hồi (mất kết nối, quá thời gian chờ "
        "hoặc lỗi máy chủ); hệ thống đã tự thử lại nhưng không thành công.",
        "Liên hệ bộ phận công nghệ thông tin của cơ quan để kiểm tra máy chủ nguồn. Lần chạy "
        "theo lịch tiếp theo sẽ tự thử lại; có thể chạy ngay `dulieumo publish {dataset}`.",
    ),
    "validation-failed": (
        "Dữ liệu không đạt kiểm tra chất lượng.",
        "Mở báo cáo kiểm tra, sửa các dòng và cột được nêu trong tệp nguồn, kiểm tra lại bằng "
        "`dulieumo validate {dataset}`, rồi chạy `dulieumo publish {dataset}`.",
    ),
    "portal-error": (
        "Cổng dữ liệu mở từ chối yêu cầu công bố (khóa API không hợp lệ hoặc hết hạn, thiếu "
        "quyền biên tập của cơ quan, hoặc thông tin mô tả bị từ chối).",
        "Liên hệ quản trị Cổng dữ liệu mở (Sở Thông tin và Truyền thông) để kiểm tra quyền "
        "và khóa API của tài khoản công bố, rồi chạy lại `dulieumo publish {dataset}`.",
    ),
    "portal-unavailable": (
        "Cổng dữ liệu mở tạm thời không phản hồi; hệ thống đã tự thử lại nhưng không thành công.",
        "Kiểm tra Cổng bằng `dulieumo portal status` (hoặc báo quản trị Cổng). Lần chạy theo "
        "lịch tiếp theo sẽ tự thử lại; có thể chạy ngay `dulieumo publish {dataset}`.",
    ),
    "local-portal-error": (
        "Cổng dữ liệu cục bộ không khởi động được.",
        "Chạy `dulieumo portal up` và đọc thông báo lỗi, rồi chạy lại "
        "`dulieumo publish {dataset}`.",
    ),
    "publication-locked": (
        "Một lần chạy khác đang công bố bộ dữ liệu này.",
        "Chờ lần chạy kia kết thúc rồi chạy lại `dulieumo publish {dataset}`.",
    ),
    "run-crashed": (
        "Lần chạy bị dừng đột ngột giữa chừng (máy chạy bị tắt, mất kết nối hoặc hết bộ nhớ); "
        "chưa có gì được công bố từ lần chạy này, phiên bản đang công khai vẫn giữ nguyên.",
        "Lần chạy theo lịch tiếp theo sẽ tự chạy lại; có thể chạy ngay "
        "`dulieumo publish {dataset}`. Nếu lặp lại, báo nhóm kỹ thuật kiểm tra máy chạy.",
    ),
    "run-cancelled": (
        "Lần chạy đã bị hủy trước khi xong; phiên bản đang công khai vẫn giữ nguyên.",
        "Nếu không phải do cán bộ chủ động hủy, chạy lại `dulieumo publish {dataset}`.",
    ),
    "internal-error": (
        "Lỗi ngoài dự kiến của hệ thống dulieumo.",
        "Báo cho nhóm kỹ thuật (Sở Thông tin và Truyền thông), gửi kèm thư này và mã lần "
        "chạy; sau khi khắc phục, chạy lại `dulieumo publish {dataset}`.",
    ),
}
DEFAULT_ERROR_VI = (
    "Lần cập nhật gặp lỗi.",
    "Đọc chi tiết kỹ thuật bên dưới, khắc phục, rồi chạy lại `dulieumo publish {dataset}`; "
    "nếu chưa rõ nguyên nhân, báo cho nhóm kỹ thuật (Sở Thông tin và Truyền thông).",
)
TRANSIENT_VI = (
    "Một máy chủ tạm thời không phản hồi; hệ thống đã tự thử lại nhưng không thành công.",
    "Lần chạy theo lịch tiếp theo sẽ tự thử lại; có thể chạy ngay `dulieumo publish {dataset}`.",
)

#: finding code (validate/findings.py) → a short noun phrase: "N <phrase>"
FINDING_VI = {
    "blank-table": "tệp không có dữ liệu",
    "binary-file": "tệp không phải CSV dạng văn bản",
    "encoding-error": "lỗi bảng mã (không phải UTF-8)",
    "source-error": "lỗi đọc tệp CSV",
    "blank-label": "cột không có tên",
    "duplicate-label": "tên cột bị trùng",
    "missing-label": "cột bắt buộc bị thiếu",
    "extra-label": "cột không có trong lược đồ",
    "extra-cell": "dòng thừa ô",
    "missing-cell": "dòng thiếu ô",
    "blank-row": "dòng để trống",
    "type-error": "giá trị sai kiểu dữ liệu",
    "constraint-required": "ô bắt buộc bị để trống",
    "constraint-enum": "giá trị ngoài danh sách cho phép",
    "constraint-minimum": "giá trị nhỏ hơn mức tối thiểu",
    "constraint-maximum": "giá trị lớn hơn mức tối đa",
    "constraint-exclusive-minimum": "giá trị không lớn hơn mức cho phép",
    "constraint-exclusive-maximum": "giá trị không nhỏ hơn mức cho phép",
    "constraint-min-length": "giá trị quá ngắn",
    "constraint-max-length": "giá trị quá dài",
    "constraint-pattern": "giá trị sai mẫu",
    "unique-error": "giá trị bị trùng",
    "primary-key": "khóa chính bị trùng",
    "primary-key-null": "khóa chính để trống",
    "foreign-key": "mã không có trong danh mục",
    "expectation-failed": "vi phạm quy tắc nghiệp vụ",
    "suite-skipped": "quy tắc nghiệp vụ chưa được kiểm tra",
    "row-count-drift": "số dòng thay đổi bất thường so với lần trước",
    "pii-detected": "ô có thể chứa thông tin cá nhân",
    "formula-injection": "ô có thể chứa công thức bảng tính",
    "total-row": "dòng tổng/cộng đã bỏ ra khỏi dữ liệu",
    "total-mismatch": "dòng tổng không khớp tổng các dòng",
}


def finding_phrase(code: str) -> str:
    return FINDING_VI.get(code, f"lỗi «{code}»")


def findings_summary(counts: Mapping[str, int], limit: int = 6) -> str:
    """{"type-error": 2, "constraint-required": 1} → "2 giá trị sai kiểu dữ liệu (type-error),
    1 ô bắt buộc bị để trống (constraint-required)" — the largest first."""
    items = sorted(((c, n) for c, n in counts.items() if n), key=lambda cn: (-cn[1], cn[0]))
    parts = [f"{n} {finding_phrase(c)} ({c})" for c, n in items[:limit]]
    if len(items) > limit:
        parts.append(f"và {len(items) - limit} loại lỗi khác")
    return ", ".join(parts)


def reason_and_next_step(
    status: str,
    error_code: str | None,
    transient: bool | None,
    findings: Mapping[str, int],
    dataset: str,
) -> tuple[str, str]:
    """The Vietnamese reason and next step of a run that did not succeed."""
    if status == RunStatus.INVALID:
        reason, step = ERROR_VI["validation-failed"]
        total = sum(findings.values())
        if total:
            reason = f"Dữ liệu không đạt kiểm tra chất lượng: {findings_summary(findings)}."
    elif error_code in ERROR_VI:
        reason, step = ERROR_VI[error_code]
    elif transient:
        reason, step = TRANSIENT_VI
    else:
        reason, step = DEFAULT_ERROR_VI
    return reason, step.format(dataset=dataset)
