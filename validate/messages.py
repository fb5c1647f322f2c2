"""Vietnamese messages for each finding code: what is wrong, where, and what to do."""

from __future__ import annotations

import unicodedata
from typing import Any

TEMPLATES = {
    "blank-table": "Tệp không có dữ liệu (không có dòng tiêu đề hoặc không có dòng nào).",
    "blank-label": "Cột thứ {position} không có tên ở dòng tiêu đề.",
    "duplicate-label": "Tên cột «{field}» xuất hiện hai lần ở dòng tiêu đề.",
    "missing-label": "Thiếu cột «{field}» mà lược đồ yêu cầu; kiểm tra dòng tiêu đề "
                     "(cột bị đổi tên hoặc bị xóa?).",
    "extra-label": "Cột «{field}» không có trong lược đồ; xóa cột này hoặc bổ sung vào lược đồ.",
    "extra-cell": "Dòng {row} có {n} ô, nhiều hơn {width} cột của tiêu đề.",
    "missing-cell": "Dòng {row} chỉ có {n} ô, ít hơn {width} cột của tiêu đề.",
    "constraint-required": "Dòng {row}, cột {field}: thiếu giá trị bắt buộc.",
    "type-error": "Dòng {row}, cột {field}: giá trị «{value}» không đúng kiểu {type_vi}.",
    "constraint-enum": "Dòng {row}, cột {field}: giá trị «{value}» không thuộc danh sách "
                       "cho phép ({allowed}).",
    "constraint-minimum": "Dòng {row}, cột {field}: giá trị {value} nhỏ hơn mức tối thiểu "
                          "{bound}.",
    "constraint-maximum": "Dòng {row}, cột {field}: giá trị {value} lớn hơn mức tối đa {bound}.",
    "constraint-min-length": "Dòng {row}, cột {field}: «{value}» ngắn hơn {bound} ký tự.",
    "constraint-max-length": "Dòng {row}, cột {field}: «{value}» dài hơn {bound} ký tự.",
    "constraint-pattern": "Dòng {row}, cột {field}: «{value}» không đúng mẫu {pattern}.",
    "unique-error": "Dòng {row}, cột {field}: giá trị «{value}» bị trùng với một dòng trước.",
    "primary-key": "Dòng {row}: khóa chính ({field}) = «{value}» bị trùng với một dòng trước.",
    "foreign-key": "Dòng {row}, cột {field}: mã «{value}» không có trong danh mục "
                   "{resource}.",
    "expectation-failed": "{message}",
    "suite-skipped": "Chưa kiểm tra các quy tắc nghiệp vụ vì cấu trúc tệp bị lỗi; sửa các "
                     "lỗi cấu trúc trước.",
}

TYPE_VI = {
    "integer": "số nguyên", "number": "số", "boolean": "đúng/sai", "date": "ngày",
    "datetime": "ngày giờ", "year": "năm", "string": "chuỗi", "any": "bất kỳ",
}
FORMAT_HINT = {"%d/%m/%Y": " (dd/mm/yyyy)", "%Y-%m-%d": " (yyyy-mm-dd)"}


def message(code: str, **values: Any) -> str:
    if "type" in values:
        fmt = values.get("format", "default")
        values["type_vi"] = TYPE_VI.get(values["type"], values["type"]) + (
            FORMAT_HINT.get(fmt, "") if values["type"] in ("date", "datetime") else "")
    template = TEMPLATES.get(code, code)
    try:
        text = template.format(**values)
    except (KeyError, IndexError):
        text = template
    return unicodedata.normalize("NFC", text)
