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
    "constraint-maximum": "Giá trị {value} ở cột {field}, dòng {row} lớn hơn mức tối đa {bound}.",
    "constraint-exclusive-minimum": "Giá trị {value} ở cột {field}, dòng {row} phải lớn hơn "
    "{bound}.",
    "constraint-exclusive-maximum": "Giá trị {value} ở cột {field}, dòng {row} phải nhỏ hơn "
    "{bound}.",
    "constraint-min-length": "Giá trị «{value}» ở cột {field}, dòng {row} ngắn hơn {bound} ký tự.",
    "constraint-max-length": "Giá trị «{value}» ở cột {field}, dòng {row} dài hơn {bound} ký tự.",
    "constraint-pattern": "Giá trị «{value}» ở cột {field}, dòng {row} không đúng mẫu {pattern}.",
    "unique-error": "Giá trị «{value}» ở cột {field}, dòng {row} bị trùng với một dòng trước.",
    "primary-key": "Dòng {row}: khóa chính ({field}) = «{value}» bị trùng với một dòng trước.",
    "primary-key-null": "Dòng {row}: khóa chính ({field}) để trống.",
    "foreign-key": "Dòng {row}: mã «{value}» ở cột {field} không có trong danh mục {resource}.",
    "expectation-failed": "{message}",
    "pii-cccd": "Cột {field}, dòng {row}: có số giống số căn cước công dân (CCCD, 12 chữ số): "
    "«{value}». Dữ liệu cá nhân không được công bố; xóa giá trị này, hoặc nếu cột "
    "là mã (không phải số của người) thì khai báo `pattern` cho cột trong lược đồ.",
    "pii-cmnd": "Cột {field}, dòng {row}: có số giống số chứng minh nhân dân (CMND, 9 chữ số): "
    "«{value}». Xóa giá trị này trước khi công bố, hoặc khai báo cột là mã "
    "(`pattern`) trong lược đồ.",
    "pii-mobile": "Cột {field}, dòng {row}: có số điện thoại di động «{value}». Không công bố "
    "số điện thoại cá nhân; nếu đây là số liên hệ công khai của cơ quan, thêm "
    "cột vào `quality.pii_allow` của đặc tả.",
    "pii-landline": "Cột {field}, dòng {row}: có số điện thoại cố định «{value}». Nếu đây là số "
    "liên hệ công khai của cơ sở, thêm cột vào `quality.pii_allow`.",
    "pii-email": "Cột {field}, dòng {row}: có địa chỉ thư điện tử «{value}». Xóa giá trị này, "
    "hoặc thêm cột vào `quality.pii_allow` nếu đó là địa chỉ công khai của cơ quan.",
    "pii-small-count": "Cột {field}, dòng {row}: số đếm {value} nhỏ hơn ngưỡng che giấu "
    "{threshold}; số nhỏ có thể làm lộ danh tính. Gộp nhóm hoặc thay bằng "
    "giá trị che (ví dụ để trống) trước khi công bố.",
    "row-count-drift": "Số dòng thay đổi bất thường: {rows} dòng, phiên bản trước ({version}) "
    "có {previous} dòng (thay đổi {change_pct}%, vượt ngưỡng cho phép "
    "{tolerance_pct}%). Kiểm tra tệp nguồn có bị thiếu hoặc trùng dữ liệu; nếu "
    "thay đổi là đúng, nới `quality.row_count_tolerance` trong đặc tả.",
    "schema-drift": "Cột của tệp nguồn không khớp lược đồ: {summary}. Sửa dòng tiêu đề của tệp "
    "nguồn (hoặc `conventions.columns`), hoặc cập nhật lược đồ.",
    "formula-injection": "Cột {field}, dòng {row}: ô «{value}» bắt đầu bằng ký tự công thức "
    "(=, +, -, @) và có thể chạy như công thức trong Excel; tệp bị từ chối "
    "(`quality.formula_injection: reject`). Sửa giá trị ở nguồn.",
    "formula-escaped": "Cột {field}, dòng {row}: ô «{value}» bắt đầu bằng ký tự công thức; "
    "khi công bố đã thêm dấu ' phía trước để Excel không chạy nó.",
    "line-too-long": "Dòng {line} dài hơn {limit_mb} MB (không có ký tự xuống dòng?); tệp không "
    "phải CSV hợp lệ hoặc bị hỏng. Hãy xuất lại tệp dưới dạng CSV.",
    "row-count-unchecked": "Chưa so sánh được số dòng với phiên bản trước: {reason}.",
    "total-row": "Dòng {row} là dòng tổng/cộng («{value}»), không phải dữ liệu: đã bỏ ra, không "
    'công bố{more}. Khai báo nó trong đặc tả (`source.excel.skip_rows: ["{value}"]`, '
    "`source.skip_rows` với CSV, hoặc `source.excel.last_data_row`) để không còn cảnh báo này.",
    "total-mismatch": "Dòng tổng {row}, cột {field}: tổng khai trong tệp là {value}, nhưng cộng "
    "các dòng dữ liệu được {sum}. Kiểm tra lại số liệu hoặc dòng tổng của tệp nguồn.",
    "expectation-error": "{message}",
    "suite-skipped": "Chưa kiểm tra các quy tắc nghiệp vụ (bộ kiểm tra GX) vì cấu trúc tệp bị "
    "lỗi; sửa các lỗi cấu trúc trước.",
}

#: message templates that are variants of another code's message, not codes of their own
MESSAGE_VARIANTS = {"primary-key-null": "primary-key"}


def codes() -> list[str]:
    """Every finding code the stage can report."""
    return sorted(c for c in TEMPLATES if c not in MESSAGE_VARIANTS)


#: a short Vietnamese title per code (report headings)
TITLES = {
    "blank-table": "Tệp trống",
    "binary-file": "Không phải tệp văn bản",
    "encoding-error": "Sai mã ký tự",
    "source-error": "Không đọc được tệp",
    "line-too-long": "Dòng quá dài",
    "blank-label": "Cột không tên",
    "duplicate-label": "Tên cột trùng",
    "missing-label": "Thiếu cột",
    "extra-label": "Cột thừa",
    "extra-cell": "Thừa ô",
    "missing-cell": "Thiếu ô",
    "blank-row": "Dòng trống",
    "type-error": "Sai kiểu dữ liệu",
    "constraint-required": "Thiếu giá trị bắt buộc",
    "constraint-enum": "Ngoài danh sách",
    "constraint-minimum": "Nhỏ hơn mức tối thiểu",
    "constraint-maximum": "Lớn hơn mức tối đa",
    "constraint-exclusive-minimum": "Không lớn hơn mức dưới",
    "constraint-exclusive-maximum": "Không nhỏ hơn mức trên",
    "constraint-min-length": "Quá ngắn",
    "constraint-max-length": "Quá dài",
    "constraint-pattern": "Sai mẫu",
    "unique-error": "Giá trị trùng",
    "primary-key": "Trùng hoặc thiếu khóa chính",
    "primary-key-null": "Khóa chính trống",
    "foreign-key": "Mã không có trong danh mục",
    "expectation-failed": "Quy tắc nghiệp vụ",
    "expectation-error": "Quy tắc không chạy được",
    "suite-skipped": "Bỏ qua quy tắc nghiệp vụ",
    "pii-cccd": "Số CCCD",
    "pii-cmnd": "Số CMND",
    "pii-mobile": "Số điện thoại di động",
    "pii-landline": "Số điện thoại cố định",
    "pii-email": "Địa chỉ thư điện tử",
    "pii-small-count": "Số đếm nhỏ (cần che)",
    "row-count-drift": "Số dòng thay đổi bất thường",
    "row-count-unchecked": "Chưa so sánh số dòng",
    "schema-drift": "Cột lệch lược đồ",
    "formula-injection": "Ô chứa công thức (từ chối)",
    "formula-escaped": "Ô chứa công thức (đã vô hiệu)",
    "total-row": "Dòng tổng/cộng (đã bỏ ra)",
    "total-mismatch": "Dòng tổng không khớp",
}


def title(code: str) -> str:
    return TITLES.get(code, code)


#: the severity each code has (expectation codes: the suite's own `meta.severity`)
WARNING_CODES = frozenset({"suite-skipped", "formula-escaped", "row-count-unchecked", "total-row"})
PER_RULE_CODES = frozenset({"expectation-failed", "expectation-error"})


def severity(code: str) -> str:
    """The severity of a code: error (blocks publication) or warning."""
    return "warning" if code in WARNING_CODES else "error"


TYPE_VI = {
    "integer": "số nguyên",
    "number": "số",
    "boolean": "đúng/sai",
    "date": "ngày",
    "datetime": "ngày giờ",
    "year": "năm",
    "string": "chuỗi",
    "any": "bất kỳ",
}
DEFAULT_FORMAT = {"date": "%Y-%m-%d", "datetime": "%Y-%m-%dT%H:%M:%S", "year": "%Y"}
_FORMAT_WORDS = {
    "%d": "dd",
    "%m": "mm",
    "%Y": "yyyy",
    "%y": "yy",
    "%H": "hh",
    "%M": "mm",
    "%S": "ss",
}


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


#: invisible characters as a message shows them
_SHOWN = {
    "\u00a0": "\\u00a0",
    "\u202f": "\\u202f",
    "\u2007": "\\u2007",
    "\u200b": "\\u200b",
    "\ufeff": "\\ufeff",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
}


def visible(value: str) -> str:
    """``value`` with its invisible characters shown: a space at either end as ␣, NBSP and
    other invisible spaces as ``\\u00a0``… (``'CS00002 '`` → ``'CS00002␣'``)."""
    text = "".join(_SHOWN.get(c, c) for c in value)
    core = text.strip(" ")
    if core == text:
        return text
    start = len(text) - len(text.lstrip(" "))
    end = len(text) - len(text.rstrip(" "))
    return "␣" * start + core + "␣" * end if core else "␣" * len(text)


def message(code: str, **values: Any) -> str:
    if isinstance(values.get("value"), str):
        values["value"] = visible(values["value"])
    if "type" in values:
        values["type_vi"] = type_vi(str(values["type"]), str(values.get("format", "default")))
    template = TEMPLATES.get(code, code)
    try:
        text = template.format(**values)
    except (KeyError, IndexError):
        text = template
    return unicodedata.normalize("NFC", text)
