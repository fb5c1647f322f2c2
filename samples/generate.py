#!/usr/bin/env python3
"""Seeded generator of the sample agency sources the demo publishes.

Deterministic: the same seed gives the same bytes. Each source is written the way its agency
really delivers it: CSV in UTF-8 with BOM, Windows-1258, plain UTF-8 and TCVN3 (`;`,
1.234,56, Vietnamese headers); an Excel report with title rows, a merged two-row header and
footnotes; JSON records that samples/agency_server.py serves as paged APIs and as another
portal's DataStore table; a SQL script it loads into PostgreSQL. Administrative units,
agencies and industries come from codelists/ so every foreign key resolves.

    python samples/generate.py            # rewrite samples/<agency>/*
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import sys
import unicodedata
from pathlib import Path

if __package__ in (None, ""):  # run as a script: python samples/generate.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from samples.formats import (
    excel_report,
    sql_dump,
    tcvn3,
    to_csv,
    vn_number,
    windows_1258,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = 22  # the province code

STREETS = [
    "Lê Thánh Tông",
    "Trần Hưng Đạo",
    "Nguyễn Văn Cừ",
    "Hạ Long",
    "Cao Thắng",
    "Bến Đoan",
    "Kênh Liêm",
    "Vũ Văn Hiếu",
    "Lý Thường Kiệt",
    "Hùng Vương",
    "Tuệ Tĩnh",
    "Giếng Đồn",
    "Bạch Đằng",
    "Trần Phú",
    "Hữu Nghị",
]
PERSON_NAMES = [
    "Trần Quốc Toản",
    "Nguyễn Trãi",
    "Lê Lợi",
    "Võ Thị Sáu",
    "Chu Văn An",
    "Lý Tự Trọng",
    "Kim Đồng",
    "Nguyễn Bỉnh Khiêm",
    "Hoàng Hoa Thám",
    "Tô Hiến Thành",
]


#: approximate centre (WGS84) of each former district; points are scattered around it
CENTRES = {
    "193": (20.952, 107.080),
    "194": (21.525, 107.966),
    "195": (21.015, 107.292),
    "196": (21.036, 106.774),
    "198": (21.530, 107.400),
    "199": (21.333, 107.400),
    "200": (21.351, 107.600),
    "201": (21.449, 107.750),
    "202": (21.268, 107.280),
    "203": (21.066, 107.420),
    "205": (21.083, 106.520),
    "206": (20.940, 106.800),
    "207": (20.981, 107.765),
}


def communes(root: Path = ROOT) -> list[dict[str, str]]:
    """Commune-level rows of the code list (cap = xã), in code-list order."""
    with (root / "codelists" / "don_vi_hanh_chinh.csv").open(encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row["cap"] == "xã"]


def coords(rng: random.Random, district: str) -> tuple[str, str]:
    lat, lon = CENTRES[district]
    return f"{lat + rng.uniform(-0.02, 0.02):.6f}", f"{lon + rng.uniform(-0.02, 0.02):.6f}"


def short(name: str) -> str:
    for prefix in ("Phường ", "Xã ", "Thị trấn "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


PROVINCIAL_HOSPITALS = [  # (name, ma_xa of the ward it stands in)
    ("Bệnh viện Đa khoa tỉnh Quảng Ninh", "06697"),
    ("Bệnh viện Sản Nhi Quảng Ninh", "06709"),
    ("Bệnh viện Bãi Cháy", "06664"),
    ("Bệnh viện Lao và Phổi Quảng Ninh", "06700"),
    ("Bệnh viện Y dược cổ truyền Quảng Ninh", "06691"),
    ("Bệnh viện Việt Nam – Thụy Điển Uông Bí", "06808"),
    ("Bệnh viện Đa khoa khu vực Cẩm Phả", "06766"),
]


def unit_kind(name: str) -> tuple[str, str]:
    """'Thị trấn Bình Liêu' → ('thị trấn', 'Bình Liêu')."""
    for prefix in ("Thành phố ", "Thị xã ", "Huyện ", "Phường ", "Xã ", "Thị trấn "):
        if name.startswith(prefix):
            return prefix.strip().lower(), name[len(prefix) :]
    return "", name


def health_facilities(rng: random.Random) -> list[dict[str, str]]:
    rows = []
    units = communes()
    by_code = {u["ma_xa"]: u for u in units}
    districts: dict[str, dict[str, str]] = {}
    for u in units:
        districts.setdefault(u["ma_huyen"], u)
    n = 1
    for name, ward in PROVINCIAL_HOSPITALS:
        rows.append(
            ("BV_TINH", name, by_code[ward], rng.randrange(150, 1200), rng.randrange(40, 300))
        )
    for u in districts.values():
        kind, short_name = unit_kind(u["ten_huyen"])
        rows.append(
            (
                "TTYT_HUYEN",
                f"Trung tâm Y tế {kind} {short_name}",
                u,
                rng.randrange(80, 400),
                rng.randrange(15, 90),
            )
        )
    for u in units:
        kind, short_name = unit_kind(u["ten_xa"])
        rows.append(
            (
                "TRAM_YT_XA",
                f"Trạm Y tế {kind} {short_name}",
                u,
                rng.randrange(3, 15),
                rng.randrange(0, 3),
            )
        )
    for i in range(30):
        u = rng.choice(units)
        rows.append(
            (
                "PHONG_KHAM",
                f"Phòng khám đa khoa {rng.choice(PERSON_NAMES)} {i + 1}",
                u,
                rng.randrange(0, 20),
                rng.randrange(1, 8),
            )
        )
    out = []
    for kind, name, u, beds, doctors in rows:
        lat, lon = coords(rng, u["ma_huyen"])
        updated = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(0, 40))
        out.append(
            {
                "ma_co_so": f"KCB-{n:05d}",
                "ten": name,
                "loai_hinh": kind,
                "ma_huyen": u["ma_huyen"],
                "ma_xa": u["ma_xa"],
                "dia_chi": f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, "
                f"{u['ten_xa']}, {u['ten_huyen']}",
                "so_giuong": str(beds),
                "so_bac_si": str(doctors) if rng.random() > 0.03 else "",
                "vi_do": lat,
                "kinh_do": lon,
                "dang_hoat_dong": "có" if rng.random() > 0.05 else "không",
                "ngay_cap_nhat": updated.isoformat(),
            }
        )
        n += 1
    return out


def schools(rng: random.Random) -> list[dict[str, str]]:
    units = communes()
    levels = [
        ("MN", "Trường Mầm non"),
        ("TH", "Trường Tiểu học"),
        ("THCS", "Trường THCS"),
        ("THPT", "Trường THPT"),
    ]
    out = []
    n = 1
    for u in units:
        for code, label in levels:
            if code == "THPT" and rng.random() < 0.7:
                continue
            name = f"{label} {short(u['ten_xa'])}"
            if (u["ma_xa"], code) == ("06691", "THCS"):  # Phường Hồng Hải
                name = "Trường THCS Trọng Điểm"
            elif rng.random() < 0.2:
                name = f"{label} {rng.choice(PERSON_NAMES)}"
            classes = rng.randrange(6, 40)
            students = classes * rng.randrange(22, 42)
            out.append(
                {
                    "ma_truong": f"22{n:06d}",
                    "ten": name,
                    "cap_hoc": code,
                    "cong_lap": "có" if rng.random() > 0.1 else "không",
                    "ma_xa": u["ma_xa"],
                    "nam_hoc": "2025-2026",
                    "so_lop": str(classes),
                    "so_hoc_sinh": str(students),
                    "so_giao_vien": str(int(classes * 1.6) + 2),
                }
            )
            n += 1
    return out


def lodging(rng: random.Random) -> list[dict[str, str]]:
    units = communes()
    kinds = [
        ("KHACH_SAN", "Khách sạn"),
        ("NHA_NGHI", "Nhà nghỉ"),
        ("HOMESTAY", "Homestay"),
        ("BIET_THU", "Biệt thự"),
        ("CAN_HO", "Căn hộ du lịch"),
    ]
    names = [
        "Hạ Long Bay",
        "Bãi Cháy",
        "Tuần Châu",
        "Vân Đồn",
        "Cô Tô Xanh",
        "Hoa Phượng",
        "Sao Biển",
        "Ngọc Trai",
        "Cánh Buồm",
        "Hải Âu",
        "Vịnh Xanh",
        "Mặt Trời",
    ]
    out = []
    for n in range(1, 121):
        kind, label = rng.choice(kinds)
        stars = {"KHACH_SAN": rng.randrange(1, 6), "BIET_THU": rng.randrange(3, 6)}.get(kind, 0)
        u = rng.choice(units)
        lat, lon = coords(rng, u["ma_huyen"])
        slug = unicodedata.normalize("NFD", rng.choice(names)).encode("ascii", "ignore")
        site = (
            f"https://{slug.decode().replace(' ', '').lower()}{n}.vn" if rng.random() > 0.3 else ""
        )
        out.append(
            {
                "ma_co_so": f"LT-{n:04d}",
                "ten": f"{label} {rng.choice(names)} {n}",
                "loai": kind,
                "hang_sao": str(stars),
                "so_phong": str(rng.randrange(4, 400 if stars else 25)),
                "ma_huyen": u["ma_huyen"],
                "dia_chi": f"Số {rng.randrange(1, 500)} đường {rng.choice(STREETS)}, "
                f"{u['ten_xa']}, {u['ten_huyen']}",
                "vi_do": lat,
                "kinh_do": lon,
                "website": site,
            }
        )
    return out


# ------------------------------------------------------------------ the seven other agencies


def _codelist(root: Path, name: str) -> list[dict[str, str]]:
    with (root / "codelists" / f"{name}.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def districts(root: Path = ROOT) -> list[dict[str, str]]:
    """District-level units still valid in 2025 (Hoành Bồ, merged in 2019, is left out)."""
    return [
        r
        for r in _codelist(root, "don_vi_hanh_chinh")
        if r["cap"] == "huyện" and r["hieu_luc_den"] >= "2025-06-30"
    ]


ENTERPRISE_TYPES = ["TNHH_1TV", "TNHH_2TV", "CO_PHAN", "TU_NHAN", "HOP_DANH"]
ENTERPRISE_WORDS = [
    "Hạ Long",
    "Vịnh Ngọc",
    "Bái Tử Long",
    "Đông Bắc",
    "Thiên Phú",
    "An Bình",
    "Minh Khang",
    "Hải Đăng",
    "Phú Cường",
    "Tân Việt",
    "Hoàng Gia",
    "Sao Mai",
    "Việt Úc",
    "Trường Thịnh",
    "Kim Long",
    "Quang Minh",
]
TYPE_LABEL = {
    "TNHH_1TV": "Công ty TNHH",
    "TNHH_2TV": "Công ty TNHH",
    "CO_PHAN": "Công ty cổ phần",
    "TU_NHAN": "Doanh nghiệp tư nhân",
    "HOP_DANH": "Công ty hợp danh",
}


def enterprises(root: Path, rng: random.Random) -> list[dict[str, object]]:
    """Sở KH&ĐT's business-registration API: one record per enterprise registered in H1 2025.

    The API keeps the registration system's own key names (renamed by the spec's
    `conventions.columns`), dates as dd/mm/yyyy and a foreign-capital flag as x/có/không.
    """
    vsic = [r["ma_nganh"] for r in _codelist(root, "nganh_vsic")]
    units = districts(root)
    weights = [
        40 if u["ma_huyen"] == "193" else 8 if u["loai"] == "Thành phố" else 3 for u in units
    ]
    out: list[dict[str, object]] = []
    used: set[str] = set()
    for _ in range(420):
        code = f"57{rng.randrange(10**7, 10**8):08d}"
        while code in used:
            code = f"57{rng.randrange(10**7, 10**8):08d}"
        used.add(code)
        kind = rng.choices(ENTERPRISE_TYPES, weights=[45, 15, 30, 7, 3])[0]
        industry = rng.choice(vsic)
        u = rng.choices(units, weights=weights)[0]
        founded = dt.date(2025, 1, 2) + dt.timedelta(days=rng.randrange(0, 179))
        capital = round(rng.lognormvariate(1.6, 1.1) * 1000, 1)  # triệu đồng
        foreign = rng.random() < 0.06
        out.append(
            {
                "maSoDN": code,
                "tenDN": f"{TYPE_LABEL[kind]} {rng.choice(ENTERPRISE_WORDS)} "
                f"{rng.choice(ENTERPRISE_WORDS)} {len(out) + 1}",
                "loaiHinh": kind,
                "nganhChinh": industry,
                "ngayThanhLap": founded.strftime("%d/%m/%Y"),
                "vonDieuLe": capital,
                "soLaoDong": rng.randrange(1, 60),
                "coVonNuocNgoai": rng.choice(["x", "có"]) if foreign else "không",
                "maHuyen": u["ma_huyen"],
                "trangThai": rng.choices(
                    ["HOAT_DONG", "TAM_NGUNG", "GIAI_THE"], weights=[95, 4, 1]
                )[0],
            }
        )
    out.sort(
        key=lambda r: (
            str(r["ngayThanhLap"])[6:] + str(r["ngayThanhLap"])[3:5] + str(r["ngayThanhLap"])[:2],
            str(r["maSoDN"]),
        )
    )
    return out


CIVIL_AGENCIES = [
    "H41.01",
    "H41.06",
    "H41.08",
    "H41.13",
    "H41.14",
    "H41.15",
    "H41.20",
    "H41.21",
    "H41.22",
    "H41.23",
    "H41.24",
    "H41.25",
    "H41.29",
    "H41.40",
]


def civil_servants(root: Path, rng: random.Random) -> list[list[object]]:
    """Sở Nội vụ's yearly report (Biểu 01): head counts per agency and staff category, by sex
    and by qualification. Aggregates only: no person appears. "-" means none; the agency
    suppresses counts of 1 to 4 people as "<5" so that nobody can be singled out."""
    agencies = {r["ma_dinh_danh"]: r for r in _codelist(root, "co_quan")}
    codes = CIVIL_AGENCIES + [c for c, r in agencies.items() if r["loai"] == "UBND_HUYEN"]
    rows: list[list[object]] = []
    for code in codes:
        for kind, low, high in (("Công chức", 25, 140), ("Viên chức", 20, 2400)):
            if kind == "Viên chức" and code in ("H41.01", "H41.40"):
                continue
            total = rng.randrange(low, high)
            female = round(total * rng.uniform(0.3, 0.7))
            phd = rng.randrange(0, 4)
            masters = round(total * rng.uniform(0.1, 0.35))
            below = round(total * rng.uniform(0.0, 0.15))
            bachelor = total - phd - masters - below
            rows.append(
                [2024, code, agencies[code]["ten"], kind, total]
                + [
                    "-" if v == 0 else "<5" if v < 5 else v
                    for v in (total - female, female, phd, masters, bachelor, below)
                ]
            )
    return rows


PROJECT_KINDS = [
    ("Đường", "giao thông"),
    ("Trường", "giáo dục"),
    ("Bệnh viện", "y tế"),
    ("Kè", "thủy lợi"),
    ("Cải tạo", "hạ tầng đô thị"),
    ("Nhà văn hóa", "văn hóa"),
]
PROJECT_PLACES = [
    "Hạ Long – Vân Đồn",
    "ven biển",
    "trung tâm",
    "liên xã",
    "khu vực biên giới",
    "vùng đệm",
    "nội thị",
    "cảng Cái Lân",
]


def public_investment(root: Path, rng: random.Random) -> list[dict[str, object]]:
    """Sở KH&ĐT's public-investment database: projects with the 2025 capital plan and the
    amount disbursed (triệu đồng) as of the report date."""
    owners = [
        r
        for r in _codelist(root, "co_quan")
        if (r["loai"] in ("SO", "UBND_HUYEN", "BAN") and not r["hieu_luc_den"])
        or r["loai"] == "UBND_HUYEN"
    ]
    units = districts(root)
    out: list[dict[str, object]] = []
    for n in range(1, 161):
        group = rng.choices(["A", "B", "C"], weights=[5, 35, 60])[0]
        total = {
            "A": rng.uniform(2_300_000, 9_000_000),
            "B": rng.uniform(120_000, 2_300_000),
            "C": rng.uniform(5_000, 120_000),
        }[group]
        plan = total * rng.uniform(0.08, 0.45)
        paid = plan * rng.uniform(0.05, 1.0)
        owner = rng.choice(owners)
        u = next((x for x in units if x["ma_huyen"] == owner["ma_huyen"]), None) or rng.choice(
            units
        )
        word, sector = rng.choice(PROJECT_KINDS)
        out.append(
            {
                "ma_du_an": f"DA-{rng.choice([2021, 2022, 2023, 2024])}-{n:04d}",
                "ten_du_an": f"{word} {sector} {rng.choice(PROJECT_PLACES)} "
                f"{unit_kind(u['ten_huyen'])[1]} "
                f"(giai đoạn {rng.randrange(1, 3)})",
                "ma_chu_dau_tu": owner["ma_dinh_danh"],
                "nhom_du_an": group,
                "ma_huyen": u["ma_huyen"],
                "tong_muc_dau_tu": round(total, 1),
                "von_ke_hoach_nam": round(plan, 1),
                "giai_ngan": round(paid, 1),
                "ty_le_giai_ngan": round(100 * paid / plan, 2),
                "trong_diem": group == "A" or rng.random() < 0.05,
                "ngay_cap_nhat": (
                    dt.date(2025, 6, 1) + dt.timedelta(days=rng.randrange(0, 29))
                ).isoformat(),
            }
        )
    return out


LAND_TYPES = [
    ("LUA", "Đất trồng lúa"),
    ("HNK", "Đất trồng cây hàng năm khác"),
    ("CLN", "Đất trồng cây lâu năm"),
    ("RSX", "Đất rừng sản xuất"),
    ("RPH", "Đất rừng phòng hộ"),
    ("RDD", "Đất rừng đặc dụng"),
    ("NTS", "Đất nuôi trồng thủy sản"),
    ("ONT", "Đất ở tại nông thôn"),
    ("ODT", "Đất ở tại đô thị"),
    ("CSD", "Đất chưa sử dụng"),
]


def land_use(root: Path, rng: random.Random) -> list[dict[str, str]]:
    """Sở TN&MT's land inventory (kiểm kê đất đai 2024), area per commune and land-use type,
    exported from an old program in TCVN3 with Vietnamese headers and 1.234,56 numbers."""
    out = []
    for u in communes(root):
        urban = u["loai"] == "Phường"
        for code, name in LAND_TYPES:
            if (
                code == ("ONT" if urban else "ODT")
                or (urban and code == "RDD")
                or rng.random() < 0.15
            ):
                continue
            scale = {"RSX": 900, "RPH": 500, "RDD": 300, "LUA": 120, "ODT": 90, "ONT": 60}
            area = rng.uniform(0.2, 1.0) * scale.get(code, 40)
            out.append(
                {
                    "Năm": "2024",
                    "Mã xã": u["ma_xa"],
                    "Mã loại đất": code,
                    "Tên loại đất": name,
                    "Diện tích (ha)": vn_number(area),
                }
            )
    return out


WORK_TYPES = [
    ("DAN_DUNG", "Công trình dân dụng"),
    ("CONG_NGHIEP", "Công trình công nghiệp"),
    ("GIAO_THONG", "Công trình giao thông"),
    ("NONG_NGHIEP", "Công trình nông nghiệp và phát triển nông thôn"),
    ("HA_TANG_KY_THUAT", "Công trình hạ tầng kỹ thuật"),
]


def construction_index(root: Path, rng: random.Random) -> list[dict[str, str]]:
    """Sở Xây dựng's quarterly construction price index (base year 2020 = 100) per district,
    published as a CSV on its website: `;`-separated, decimal comma, Vietnamese headers."""
    out = []
    quarters = [f"{y}-Q{q}" for y in (2024, 2025) for q in (1, 2, 3, 4)][:6]
    for u in districts(root):
        for code, label in WORK_TYPES:
            level = rng.uniform(104, 112)
            for i, quarter in enumerate(quarters):
                material = level + i * rng.uniform(0.2, 1.2) + rng.uniform(-0.5, 0.5)
                labour = level + i * rng.uniform(0.5, 1.5) + rng.uniform(-1, 3)
                machine = level + i * rng.uniform(0.0, 0.6) + rng.uniform(-2, 1)
                weights = (0.65, 0.25, 0.10) if code != "GIAO_THONG" else (0.5, 0.2, 0.3)
                general = material * weights[0] + labour * weights[1] + machine * weights[2]
                out.append(
                    {
                        "Kỳ công bố": quarter,
                        "Mã huyện": u["ma_huyen"],
                        "Loại công trình": code,
                        "Tên loại công trình": label,
                        "Chỉ số chung": vn_number(general),
                        "Chỉ số vật liệu": vn_number(material),
                        "Chỉ số nhân công": vn_number(labour),
                        "Chỉ số máy thi công": vn_number(machine),
                    }
                )
    return out


#: station → (type, district, parameters with (unit, QCVN limit, typical value))
STATIONS = {
    "QN-KK-01": ("KHONG_KHI", "193"),
    "QN-KK-02": ("KHONG_KHI", "195"),
    "QN-KK-03": ("KHONG_KHI", "196"),
    "QN-KK-04": ("KHONG_KHI", "205"),
    "QN-NM-01": ("NUOC_MAT", "193"),
    "QN-NM-02": ("NUOC_MAT", "206"),
    "QN-NT-01": ("NUOC_THAI", "195"),
    "QN-NT-02": ("NUOC_THAI", "193"),
}
PARAMETERS: dict[str, list[tuple[str, str, float | None, float]]] = {
    "KHONG_KHI": [
        ("PM2_5", "µg/m3", 50.0, 28.0),
        ("PM10", "µg/m3", 100.0, 48.0),
        ("SO2", "µg/m3", 125.0, 30.0),
        ("NO2", "µg/m3", 100.0, 35.0),
    ],
    "NUOC_MAT": [
        ("pH", "pH", 8.5, 7.4),
        ("DO", "mg/L", None, 5.8),
        ("COD", "mg/L", 15.0, 9.0),
        ("TSS", "mg/L", 30.0, 16.0),
    ],
    "NUOC_THAI": [
        ("pH", "pH", 9.0, 7.2),
        ("COD", "mg/L", 150.0, 70.0),
        ("TSS", "mg/L", 100.0, 45.0),
        ("NH4", "mg/L", 10.0, 4.0),
    ],
}


def monitoring(root: Path, rng: random.Random, days: int = 7) -> list[dict[str, object]]:
    """Sở TN&MT's automatic monitoring stations: hourly values per station and parameter
    (the volume case), with the QCVN limit and whether it was exceeded."""
    out: list[dict[str, object]] = []
    tz = dt.timezone(dt.timedelta(hours=7))
    start = dt.datetime(2025, 6, 1, 0, 0, tzinfo=tz)
    for hour in range(days * 24):
        when = start + dt.timedelta(hours=hour)
        for station, (kind, district) in STATIONS.items():
            for name, unit, limit, typical in PARAMETERS[kind]:
                if name == "pH":
                    value = round(rng.gauss(typical, 0.35), 2)
                    exceeded = limit is not None and not (5.5 <= value <= limit)
                else:
                    value = round(max(0.0, rng.gauss(typical, typical * 0.35)), 1)
                    exceeded = limit is not None and value > limit
                out.append(
                    {
                        "maTram": station,
                        "loaiTram": kind,
                        "maHuyen": district,
                        "thoiDiem": when.isoformat(),
                        "thongSo": name,
                        "giaTri": value,
                        "donVi": unit,
                        "nguongQCVN": limit,
                        "vuotNguong": exceeded,
                    }
                )
    return out


PROCEDURE_AREAS = {
    "H41.13": ["Đăng ký doanh nghiệp", "Đầu tư tại Việt Nam"],
    "H41.21": ["Đất đai", "Môi trường"],
    "H41.25": ["Hoạt động xây dựng", "Quy hoạch"],
    "H41.23": ["Hộ tịch", "Lý lịch tư pháp"],
    "H41.24": ["Khám bệnh, chữa bệnh", "Dược phẩm"],
    "H41.08": ["Giáo dục và Đào tạo"],
    "H41.06": ["Thương mại quốc tế", "Điện"],
    "H41.29": ["Du lịch"],
    "H41.15": ["Công chức, viên chức", "Thi đua – khen thưởng"],
    "H41.20": ["Báo chí", "Bưu chính"],
}


def procedures(root: Path, rng: random.Random) -> list[dict[str, object]]:
    """Trung tâm PVHCC's monthly figures on administrative-procedure files, per agency and
    area: received, of which online, settled on time and late, satisfaction (%)."""
    out: list[dict[str, object]] = []
    for month in range(1, 7):
        for agency, areas in PROCEDURE_AREAS.items():
            for area in areas:
                received = rng.randrange(20, 1800)
                online = round(received * rng.uniform(0.45, 0.98))
                settled = round(received * rng.uniform(0.8, 1.0))
                late = min(settled, rng.choices([0, rng.randrange(1, 12)], weights=[70, 30])[0])
                out.append(
                    {
                        "thang": f"2025-{month:02d}",
                        "ma_co_quan": agency,
                        "linh_vuc": area,
                        "tiep_nhan": received,
                        "truc_tuyen": online,
                        "da_giai_quyet": settled,
                        "dung_han": settled - late,
                        "qua_han": late,
                        "ty_le_hai_long": round(rng.uniform(94.0, 100.0), 2),
                    }
                )
    return out


PROJECT_COLUMNS = [
    ("ma_du_an", "varchar(16) PRIMARY KEY"),
    ("ten_du_an", "text NOT NULL"),
    ("ma_chu_dau_tu", "varchar(16) NOT NULL"),
    ("nhom_du_an", "char(1) NOT NULL"),
    ("ma_huyen", "char(3) NOT NULL"),
    ("tong_muc_dau_tu", "numeric(14,1) NOT NULL"),
    ("von_ke_hoach_nam", "numeric(14,1) NOT NULL"),
    ("giai_ngan", "numeric(14,1) NOT NULL"),
    ("ty_le_giai_ngan", "numeric(6,2) NOT NULL"),
    ("trong_diem", "boolean NOT NULL"),
    ("ngay_cap_nhat", "date NOT NULL"),
]


def agency_files(root: Path = ROOT, seed: int = SEED) -> dict[str, bytes]:
    """The seven other agencies' sources, each in its own shape (one RNG per dataset, so a
    change to one leaves the others' bytes as they are)."""

    def rng(name: str) -> random.Random:
        return random.Random(f"{seed}/{name}")

    def as_json(records: list[dict[str, object]]) -> bytes:  # one record per line
        lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        return f"[\n{lines}\n]\n".encode()

    civil_rows = civil_servants(root, rng("thong-ke-can-bo-cong-chuc"))
    return {
        # JSON REST API, page/pageSize paging (served by samples/agency_server.py)
        "so-ke-hoach-dau-tu/doanh-nghiep-thanh-lap-moi.json": as_json(
            enterprises(root, rng("doanh-nghiep-thanh-lap-moi"))
        ),
        # the agency's PostgreSQL database (loaded into dulieumo_agency)
        "so-ke-hoach-dau-tu/du-an-dau-tu-cong.sql": sql_dump(
            "du_an_dau_tu_cong",
            PROJECT_COLUMNS,
            public_investment(root, rng("du-an-dau-tu-cong")),
            "Cơ sở dữ liệu đầu tư công – Sở Kế hoạch và Đầu tư (dữ liệu mẫu)",
        ).encode("utf-8"),
        # Excel report with title rows, a merged two-row header and footnotes
        "so-noi-vu/thong-ke-can-bo-cong-chuc.xlsx": excel_report(
            sheet="Biểu 01",
            titles=[
                "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH – SỞ NỘI VỤ",
                "BIỂU 01: SỐ LƯỢNG CÔNG CHỨC, VIÊN CHỨC THEO CƠ QUAN NĂM 2024",
                "(Số liệu đến ngày 31/12/2024; đơn vị tính: người)",
            ],
            header_top=[
                ("Năm", 1),
                ("Mã cơ quan", 1),
                ("Tên cơ quan", 1),
                ("Loại", 1),
                ("Tổng số", 1),
                ("Giới tính", 2),
                ("Trình độ chuyên môn", 4),
            ],
            header_sub=["Nam", "Nữ", "Tiến sĩ", "Thạc sĩ", "Đại học", "Dưới đại học"],
            rows=civil_rows,
            notes=[
                'Ghi chú: dấu "-" là không có người; "<5" là số liệu dưới 5 người, được '
                "che để bảo vệ thông tin cá nhân.",
                "Nguồn: Sở Nội vụ tỉnh Quảng Ninh, báo cáo số lượng, chất lượng công chức, "
                "viên chức năm 2024.",
            ],
        ),
        # legacy program export: TCVN3 (ABC), `;`, Vietnamese headers, 1.234,56
        "so-tai-nguyen-moi-truong/dien-tich-dat-theo-muc-dich.csv": tcvn3(
            to_csv(land_use(root, rng("dien-tich-dat-theo-muc-dich")), delimiter=";")
        ),
        # JSON REST API with next-link paging
        "so-tai-nguyen-moi-truong/quan-trac-moi-truong-tu-dong.json": as_json(
            monitoring(root, rng("quan-trac-moi-truong-tu-dong"))
        ),
        # a CSV on the agency's website (HTTP with ETag), UTF-8 with BOM, `;`, 1.234,56
        "so-xay-dung/chi-so-gia-xay-dung.csv": b"\xef\xbb\xbf"
        + to_csv(construction_index(root, rng("chi-so-gia-xay-dung")), delimiter=";").encode(
            "utf-8"
        ),
        # another portal's DataStore table (harvested through its CKAN Action API)
        "trung-tam-phuc-vu-hanh-chinh-cong/ho-so-thu-tuc-hanh-chinh.json": as_json(
            procedures(root, rng("ho-so-thu-tuc-hanh-chinh"))
        ),
    }


def write_all(root: Path = ROOT, seed: int = SEED) -> list[Path]:
    rng = random.Random(seed)
    files = {
        # Sở Y tế: UTF-8 with BOM, Windows line endings (Excel's "CSV UTF-8")
        "so-y-te/co-so-kham-chua-benh.csv": b"\xef\xbb\xbf"
        + to_csv(health_facilities(rng)).encode("utf-8"),
        # Sở GD&ĐT: Windows-1258 with decomposed tone marks, as old office software saved it
        "so-giao-duc-dao-tao/co-so-giao-duc.csv": windows_1258(to_csv(schools(rng))),
        # Sở Du lịch: plain UTF-8
        "so-du-lich/co-so-luu-tru.csv": to_csv(lodging(rng), "\n").encode("utf-8"),
    }
    files.update(agency_files(ROOT, seed))
    written = []
    for rel, data in files.items():
        path = root / "samples" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write_all():
        print(p.relative_to(ROOT), p.stat().st_size, "bytes")
