"""A seeded, province-like test table: environmental monitoring readings with injected errors.

Used by the parity test (against ``frictionless validate``) and by ``bench/validate``. The
table has 14 columns, a composite primary key, a foreign key to a small code list, and every
kind of cell error the schema checks know, each injected at a known row.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODELIST = "don_vi_hanh_chinh"
COMMUNES = [f"{n:05d}" for n in range(6700, 6760)]
STATIONS = [f"QN{n:03d}" for n in range(1, 121)]

SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "name": "ma_tram",
            "type": "string",
            "title": "Mã trạm",
            "constraints": {"required": True, "pattern": "QN[0-9]{3}"},
        },
        {
            "name": "ngay_do",
            "type": "date",
            "format": "%d/%m/%Y",
            "title": "Ngày đo",
            "constraints": {"required": True, "minimum": "01/01/2000"},
        },
        {
            "name": "ma_mau",
            "type": "string",
            "title": "Mã mẫu",
            "constraints": {"required": True, "unique": True},
        },
        {
            "name": "ma_xa",
            "type": "string",
            "title": "Mã xã",
            "constraints": {"pattern": "[0-9]{5}"},
        },
        {
            "name": "loai",
            "type": "string",
            "title": "Loại quan trắc",
            "constraints": {"required": True, "enum": ["KHONG_KHI", "NUOC_MAT", "NUOC_NGAM"]},
        },
        {
            "name": "pm25",
            "type": "number",
            "title": "Bụi PM2.5 (µg/m³)",
            "constraints": {"minimum": 0, "maximum": 1000},
        },
        {
            "name": "nhiet_do",
            "type": "number",
            "title": "Nhiệt độ (°C)",
            "constraints": {"minimum": -10, "maximum": 50},
        },
        {
            "name": "so_mau",
            "type": "integer",
            "title": "Số mẫu",
            "constraints": {"required": True, "minimum": 1, "maximum": 96},
        },
        {
            "name": "so_mau_dat",
            "type": "integer",
            "title": "Số mẫu đạt",
            "constraints": {"minimum": 0},
        },
        {
            "name": "dat_chuan",
            "type": "boolean",
            "title": "Đạt quy chuẩn",
            "trueValues": ["có"],
            "falseValues": ["không"],
        },
        {"name": "nam", "type": "year", "title": "Năm", "constraints": {"minimum": 2000}},
        {"name": "thoi_diem_nhap", "type": "datetime", "title": "Thời điểm nhập"},
        {
            "name": "nguoi_do",
            "type": "string",
            "title": "Người đo",
            "constraints": {"minLength": 2, "maxLength": 40},
        },
        {"name": "ghi_chu", "type": "string", "title": "Ghi chú", "constraints": {"maxLength": 60}},
    ],
    "primaryKey": ["ma_tram", "ngay_do", "loai"],
    "foreignKeys": [{"fields": "ma_xa", "reference": {"resource": CODELIST, "fields": "ma_xa"}}],
    "missingValues": [""],
}

CODELIST_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "ma_xa", "type": "string", "constraints": {"required": True}},
        {"name": "ten_xa", "type": "string"},
    ],
    "primaryKey": ["ma_xa"],
}

SUITE: dict[str, Any] = {
    "name": "quan-trac-moi-truong",
    "expectations": [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 1},
            "meta": {"severity": "error", "message_vi": "Tệp phải có ít nhất một kết quả đo."},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "pm25", "min_value": 0, "max_value": 500},
            "meta": {
                "severity": "warning",
                "message_vi": "Bụi PM2.5 vượt 500 µg/m³: kiểm tra lại thiết bị đo.",
            },
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "ma_xa"},
            "meta": {"severity": "error", "message_vi": "Thiếu mã xã của trạm đo."},
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "so_mau",
                "column_B": "so_mau_dat",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            "meta": {"severity": "error", "message_vi": "Số mẫu đạt không được lớn hơn số mẫu."},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "ngay_do", "max_value": "today"},
            "meta": {"severity": "error", "message_vi": "Ngày đo không được ở tương lai."},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "loai", "value_set": ["KHONG_KHI", "NUOC_MAT", "NUOC_NGAM"]},
            "meta": {"severity": "error", "message_vi": "Loại quan trắc không hợp lệ."},
        },
    ],
}

NAMES = [
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Minh Châu",
    "Phạm Quốc Dũng",
    "Vũ Thu Hà",
    "Đặng Hoàng Long",
    "Bùi Ngọc Mai",
    "Hoàng Đức Nam",
]
KINDS = ["KHONG_KHI", "NUOC_MAT", "NUOC_NGAM"]


@dataclass
class Synthetic:
    csv: Path
    schema: Path
    suite: Path
    codelist: Path
    codelist_schema: Path
    rows: int
    injected: dict[str, int]


def _good_row(i: int, rng: random.Random) -> list[str]:
    # the key (station, date, kind) is unique by construction: i → (station, day, kind)
    station = STATIONS[i % len(STATIONS)]
    kind = KINDS[(i // len(STATIONS)) % 3]
    day_index = i // (len(STATIONS) * 3)
    year = 2001 + day_index // 336
    month = (day_index // 28) % 12 + 1
    day = day_index % 28 + 1
    n = rng.randint(1, 96)
    return [
        station,
        f"{day:02d}/{month:02d}/{year}",
        f"M{i:08d}",
        rng.choice(COMMUNES),
        kind,
        f"{rng.uniform(0, 300):.1f}",
        f"{rng.uniform(5, 38):.1f}",
        str(n),
        str(rng.randint(0, n)),
        rng.choice(["có", "không"]),
        str(year),
        f"{year}-{month:02d}-{day:02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00",
        rng.choice(NAMES),
        rng.choice(["", "", "Trời mưa", "Đo lại lần 2", "Thiết bị mới"]),
    ]


def _inject(kind: str, row: list[str], rng: random.Random) -> list[str] | None:
    """Damage one row; returns the row, or None for an empty line."""
    r = list(row)
    if kind == "type-integer":
        r[7] = rng.choice(["abc", "1.5", "12a"])
    elif kind == "type-number":
        r[5] = rng.choice(["x", "1,5", "--3"])
    elif kind == "type-date":
        r[1] = rng.choice(["31/02/2024", "2024-01-05", "32/01/2023", "15/13/2022"])
    elif kind == "type-boolean":
        r[9] = rng.choice(["yes", "Có", "1"])
    elif kind == "type-year":
        r[10] = rng.choice(["99", "20x4", "20245"])
    elif kind == "type-datetime":
        r[11] = rng.choice(["2024-02-30T10:00:00", "hôm qua", "2024-01-05T25:00:00"])
    elif kind == "required":
        r[rng.choice([2, 4, 7])] = ""
    elif kind == "enum":
        r[4] = rng.choice(["KHONG KHI", "nuoc_mat", "DAT"])
    elif kind == "pattern":
        r[0] = rng.choice(["QN12", "qn001", "QN0001"])
    elif kind == "minimum":
        r[6] = "-12.5"
    elif kind == "maximum":
        r[5] = "1500.2"
    elif kind == "min-length":
        r[12] = "A"
    elif kind == "max-length":
        r[13] = "Ghi chú rất dài " * 6
    elif kind == "foreign-key":
        r[3] = rng.choice(["99999", "06999"])
    elif kind == "blank-row":
        r = [""] * len(r)
    elif kind == "empty-line":
        return None
    elif kind == "extra-cell":
        r = [*r, "thừa"]
    elif kind == "missing-cell":
        r = r[:-2]
    elif kind == "pii":  # the personal-data guard only: passes the schema
        r[13] = rng.choice(
            [
                "Gọi anh Nam 0912345678",
                "báo qua a.b@gmail.com",
                "CCCD 022090001234",
                "ĐT 0203 3835 123",
            ]
        )
    elif kind == "pair":  # suite only: passes the schema
        r[8] = str(int(r[7]) + 1)
    return r


KINDS_OF_ERROR = [
    "type-integer",
    "type-number",
    "type-date",
    "type-boolean",
    "type-year",
    "type-datetime",
    "required",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "min-length",
    "max-length",
    "foreign-key",
    "unique",
    "primary-key",
    "blank-row",
    "empty-line",
    "extra-cell",
    "missing-cell",
    "pair",
    "pii",
]


def generate(
    out: Path, rows: int, *, seed: int = 20261122, errors: int = 120, ragged: bool = True
) -> Synthetic:
    """Write the CSV, schema, suite and code list into `out` (codelists/ and schemas/codelists/
    laid out like the catalogue). `ragged=False` leaves out rows with missing/extra cells."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    kinds = [
        k for k in KINDS_OF_ERROR if ragged or k not in ("extra-cell", "missing-cell", "empty-line")
    ]
    errors = min(errors, max(rows // 3, 1))
    positions = sorted(rng.sample(range(1, rows), errors)) if rows > errors else []
    plan = {p: kinds[n % len(kinds)] for n, p in enumerate(positions)}
    injected: dict[str, int] = {}
    path = out / "quan-trac.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow([f["name"] for f in SCHEMA["fields"]])
        previous: list[str] = []
        for i in range(rows):
            row = _good_row(i, rng)
            kind = plan.get(i)
            if kind == "unique":
                row[2] = previous[2]
            elif kind == "primary-key":
                row[0], row[1], row[4] = previous[0], previous[1], previous[4]
            elif kind is not None:
                damaged = _inject(kind, row, rng)
                if damaged is None:
                    fh.write("\n")
                    injected[kind] = injected.get(kind, 0) + 1
                    previous = [""] * len(row)
                    continue
                row = damaged
            if kind is not None:
                injected[kind] = injected.get(kind, 0) + 1
            writer.writerow(row)
            previous = row
    schema = out / "quan-trac.schema.json"
    schema.write_text(json.dumps(SCHEMA, ensure_ascii=False, indent=1), encoding="utf-8")
    suite = out / "quan-trac.suite.json"
    suite.write_text(json.dumps(SUITE, ensure_ascii=False, indent=1), encoding="utf-8")
    cl_dir = out / "codelists"
    cl_dir.mkdir(exist_ok=True)
    codelist = cl_dir / f"{CODELIST}.csv"
    with codelist.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["ma_xa", "ten_xa"])
        for n, code in enumerate(COMMUNES):
            writer.writerow([code, f"Xã {n + 1}"])
    cl_schema = out / "schemas" / "codelists" / f"{CODELIST}.json"
    cl_schema.parent.mkdir(parents=True, exist_ok=True)
    cl_schema.write_text(json.dumps(CODELIST_SCHEMA, ensure_ascii=False), encoding="utf-8")
    return Synthetic(path, schema, suite, codelist, cl_schema, rows, injected)


def frictionless_keys(data: Synthetic) -> set[tuple[int | None, str | None, str]]:
    """(row, field, code) of every error `frictionless validate` reports for the table, with
    the code list as a second resource of a package (so the foreign key is checked)."""
    from frictionless import Detector, Package, Resource, Schema

    base = data.csv.parent
    package = Package(
        basepath=str(base),
        resources=[
            Resource(
                name="table",
                path=data.csv.name,
                schema=Schema.from_descriptor(json.loads(data.schema.read_text("utf-8"))),
                detector=Detector(schema_sync=True),
            ),
            Resource(
                name=CODELIST,
                path=data.codelist.relative_to(base).as_posix(),
                schema=Schema.from_descriptor(CODELIST_SCHEMA),
            ),
        ],
    )
    report = package.validate(limit_errors=10**9)
    keys: set[tuple[int | None, str | None, str]] = set()
    for task in report.tasks:
        if task.name != "table":
            assert task.valid, task.flatten(["rowNumber", "fieldName", "type", "note"])
            continue
        for row, field, code in task.flatten(["rowNumber", "fieldName", "type"]):
            keys.add(
                (
                    row,
                    None
                    if code in ("primary-key", "foreign-key", "blank-row", "extra-cell")
                    or not field
                    else field,
                    code,
                )
            )
    return keys
