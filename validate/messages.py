"""Vietnamese messages for each finding code: what is wrong, where, and what to do."""

from __future__ import annotations

import unicodedata
from typing import Any

TEMPLATES = {
    "blank-table": "Tệp không có dữ liệu (không có dòng tiêu đề hoặc không có dòng nào).",
    "binary-file": "Tệp không phải CSV dạng văn bản (có byte NUL ở vị trí {offset}, dòng "
                   "{line}); có thể đã gửi nhầm tệp Excel, PDF hoặc ảnh. Hãy xuất lại tệp "
                   "dưới dạng CSV UTF-8.",
    "encoding-error": "Tệp có byte không hợp lệ trong mã UTF-8 ở vị trí {offset} (dòng "
                      "{line}). Hãy lưu lại tệp dưới dạng CSV UTF-8.",
    "source-error": "Không đọc được tệp CSV: {error}",
    "blank-label": "Cột thứ {position} không có tên ở dòng tiêu đề.",
    "duplicate-label": "Tên cột «{field}» xuất hiện hai lần ở dòng tiêu đề.",
    "missing-label": "Thiếu cột «{field}» mà lược đồ yêu cầu; kiểm tra dòng tiêu đề "
                     "(cột bị đổi tên hoặc bị xóa?).",
    "extra-label": "Cột «{field}» không có trong lược đồ; xóa cột này hoặc bổ sung vào lược đồ.",
    "extra-cell": "Dòng {row} có {n} ô, nhiều hơn {width} cột của dòng tiêu đề.",
    "missing-cell": "Dòng {row} chỉ có {n} ô, thiếu ô của cột {field}.",
    "blank-row": "Dòng {row} để trống toàn bộ.",
    "type-error": "Giá trị «{value}» ở cột {field}, dòng {row} không phải {type_vi}.",
    "constraint-required": "Cột {field}, dòng {row}: thiếu giá trị bắt buộc.",
    "constraint-enum": "Giá trị «{value}» ở cột {field}, dòng {row} không thuộc danh sách "
                       "cho phép ({allowed}).",
    "constraint-minimum": "Giá trị {value} ở cột {field}, dòng {row} nhỏ hơn mức tối thiểu "
                          "{bound}.",
    "constraint-maximum": "Giá trị {value} ở cột {field}, dòng {row} lớn hơn mức tối đa "
                          "{bound}.",
    "constraint-exclusive-minimum": "Giá trị {value} ở cột {field}, dòng {row} phải lớn hơn "
                                    "{bound}.",
    "constraint-exclusive-maximum": "Giá trị {value} ở cột {field}, dòng {row} phải nhỏ hơn "
                                    "{bound}.",
    "constraint-min-length": "Giá trị «{value}» ở cột {field}, dòng {row} ngắn hơn {bound} "
                             "ký tự.",
    "constraint-max-length": "Giá trị «{value}» ở cột {field}, dòng {row} dài hơn {bound} "
                             "ký tự.",
    "constraint-pattern": "Giá trị «{value}» ở cột {field}, dòng {row} không đúng mẫu "
                          "{pattern}.",
    "unique-error": "Giá trị «{value}» ở cột {field}, dòng {row} bị trùng với một dòng trước.",
    "primary-key": "Dòng {row}: khóa chính ({field}) = «{value}» bị trùng với một dòng trước.",
    "primary-key-null": "Dòng {row}: khóa chính ({field}) để trống.",
    "foreign-key": "Dòng {row}: mã «{value}» ở cột {field} không có trong danh mục "
                   "{resource}.",
    "expectation-failed": "{message}",
    "suite-skipped": "Chưa kiểm tra các quy tắc nghiệp vụ (bộ kiểm tra GX) vì cấu trúc tệp bị "
                     "lỗi; sửa các lỗi cấu trúc trước.",
}

TYPE_VI = {
    "integer": "số nguyên", "number": "số", "boolean": "đúng/sai", "date": "ngày",
    "datetime": "ngày giờ", "year": "năm", "string": "chuỗi", "any": "bất kỳ",
}
DEFAULT_FORMAT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S", "year": "%Y"}
_FORMAT_WORDS = {"%d": "dd", "%m": "mm", "%Y": "yyyy", "%y": "yy", "%H": "hh", "%M": "mm",
                 "%S": "ss"}


def format_hint(fmt: str) -> str:
    """'%d/%m/%Y' → 'dd/mm/yyyy', the way officers write date formats."""
    for token, word in _FORMAT_WORDS.items():
        fmt = fmt.replace(token, word)
    return fmt


def type_vi(ftype: str, fmt: str = "default") -> str:
    text = TYPE_VI.get(ftype, ftype)
    if ftype in DEFAULT_FORMAT:
        if fmt in ("default", "any"):
            fmt = DEFAULT_FORMAT[ftype]
        text += f" hợp lệ ({format_hint(fmt)})"
    return text


def message(code: str, **values: Any) -> str:
    if "type" in values:
        values["type_vi"] = type_vi(str(values["type"]), str(values.get("format", "default")))
    template = TEMPLATES.get(code, code)
    try:
        text = template.format(**values)
    except (KeyError, IndexError):
        text = template
    return unicodedata.normalize("NFC", text)
