#!/usr/bin/env python3
"""Seeded generator of the sample agency files the demo publishes.

Deterministic: the same seed gives the same bytes. Each file is written the way the agency
really delivers it (UTF-8 with BOM, Windows-1258, plain UTF-8). Communes come from
codelists/don_vi_hanh_chinh.csv so every foreign key resolves.

    python samples/generate.py            # rewrite samples/*/*.csv
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 22  # the province code

STREETS = ["Lê Thánh Tông", "Trần Hưng Đạo", "Nguyễn Văn Cừ", "Hạ Long", "Cao Thắng",
           "Bến Đoan", "Kênh Liêm", "Vũ Văn Hiếu", "Lý Thường Kiệt", "Hùng Vương",
           "Tuệ Tĩnh", "Giếng Đồn", "Bạch Đằng", "Trần Phú", "Hữu Nghị"]
PERSON_NAMES = ["Trần Quốc Toản", "Nguyễn Trãi", "Lê Lợi", "Võ Thị Sáu", "Chu Văn An",
                "Lý Tự Trọng", "Kim Đồng", "Nguyễn Bỉnh Khiêm", "Hoàng Hoa Thám", "Tô Hiến Thành"]


#: approximate centre (WGS84) of each former district; points are scattered around it
CENTRES = {"193": (20.952, 107.080), "194": (21.525, 107.966), "195": (21.015, 107.292),
           "196": (21.036, 106.774), "198": (21.530, 107.400), "199": (21.333, 107.400),
           "200": (21.351, 107.600), "201": (21.449, 107.750), "202": (21.268, 107.280),
           "203": (21.066, 107.420), "205": (21.083, 106.520), "206": (20.940, 106.800),
           "207": (20.981, 107.765)}


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
            return name[len(prefix):]
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
            return prefix.strip().lower(), name[len(prefix):]
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
        rows.append(("BV_TINH", name, by_code[ward], rng.randrange(150, 1200),
                     rng.randrange(40, 300)))
    for u in districts.values():
        kind, short_name = unit_kind(u["ten_huyen"])
        rows.append(("TTYT_HUYEN", f"Trung tâm Y tế {kind} {short_name}",
                     u, rng.randrange(80, 400), rng.randrange(15, 90)))
    for u in units:
        kind, short_name = unit_kind(u["ten_xa"])
        rows.append(("TRAM_YT_XA", f"Trạm Y tế {kind} {short_name}", u, rng.randrange(3, 15),
                     rng.randrange(0, 3)))
    for i in range(30):
        u = rng.choice(units)
        rows.append(("PHONG_KHAM", f"Phòng khám đa khoa {rng.choice(PERSON_NAMES)} {i + 1}",
                     u, rng.randrange(0, 20), rng.randrange(1, 8)))
    out = []
    for kind, name, u, beds, doctors in rows:
        lat, lon = coords(rng, u["ma_huyen"])
        updated = dt.date(2026, 10, 1) + dt.timedelta(days=rng.randrange(0, 40))
        out.append({
            "ma_co_so": f"KCB-{n:05d}", "ten": name, "loai_hinh": kind,
            "ma_huyen": u["ma_huyen"], "ma_xa": u["ma_xa"],
            "dia_chi": f"Số {rng.randrange(1, 300)} đường {rng.choice(STREETS)}, "
                       f"{u['ten_xa']}, {u['ten_huyen']}",
            "so_giuong": str(beds), "so_bac_si": str(doctors) if rng.random() > 0.03 else "",
            "vi_do": lat, "kinh_do": lon,
            "dang_hoat_dong": "có" if rng.random() > 0.05 else "không",
            "ngay_cap_nhat": updated.isoformat(),
        })
        n += 1
    return out


def schools(rng: random.Random) -> list[dict[str, str]]:
    units = communes()
    levels = [("MN", "Trường Mầm non"), ("TH", "Trường Tiểu học"),
              ("THCS", "Trường THCS"), ("THPT", "Trường THPT")]
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
            out.append({
                "ma_truong": f"22{n:06d}", "ten": name, "cap_hoc": code,
                "cong_lap": "có" if rng.random() > 0.1 else "không",
                "ma_xa": u["ma_xa"], "nam_hoc": "2025-2026", "so_lop": str(classes),
                "so_hoc_sinh": str(students), "so_giao_vien": str(int(classes * 1.6) + 2),
            })
            n += 1
    return out


def lodging(rng: random.Random) -> list[dict[str, str]]:
    units = communes()
    kinds = [("KHACH_SAN", "Khách sạn"), ("NHA_NGHI", "Nhà nghỉ"), ("HOMESTAY", "Homestay"),
             ("BIET_THU", "Biệt thự"), ("CAN_HO", "Căn hộ du lịch")]
    names = ["Hạ Long Bay", "Bãi Cháy", "Tuần Châu", "Vân Đồn", "Cô Tô Xanh", "Hoa Phượng",
             "Sao Biển", "Ngọc Trai", "Cánh Buồm", "Hải Âu", "Vịnh Xanh", "Mặt Trời"]
    out = []
    for n in range(1, 121):
        kind, label = rng.choice(kinds)
        stars = {"KHACH_SAN": rng.randrange(1, 6), "BIET_THU": rng.randrange(3, 6)}.get(kind, 0)
        u = rng.choice(units)
        lat, lon = coords(rng, u["ma_huyen"])
        slug = unicodedata.normalize("NFD", rng.choice(names)).encode("ascii", "ignore")
        site = f"https://{slug.decode().replace(' ', '').lower()}{n}.vn" \
            if rng.random() > 0.3 else ""
        out.append({
            "ma_co_so": f"LT-{n:04d}", "ten": f"{label} {rng.choice(names)} {n}", "loai": kind,
            "hang_sao": str(stars), "so_phong": str(rng.randrange(4, 400 if stars else 25)),
            "ma_huyen": u["ma_huyen"],
            "dia_chi": f"Số {rng.randrange(1, 500)} đường {rng.choice(STREETS)}, "
                       f"{u['ten_xa']}, {u['ten_huyen']}",
            "vi_do": lat, "kinh_do": lon, "website": site,
        })
    return out


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def windows_1258(text: str) -> bytes:
    """Encode as Windows-1258 does: letters like ơ, â precomposed, tone marks combining."""
    out: list[str] = []
    base, tones = "", ""
    for ch in unicodedata.normalize("NFD", text) + "\x00":
        if unicodedata.combining(ch):
            if ch in TONE_MARKS:
                tones += ch
            else:
                base += ch
            continue
        if base:
            out.append(unicodedata.normalize("NFC", base) + tones)
        base, tones = ch, ""
    return "".join(out).encode("cp1258")


def to_csv(rows: list[dict[str, str]], line_end: str = "\r\n") -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator=line_end)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_all(root: Path = ROOT, seed: int = SEED) -> list[Path]:
    rng = random.Random(seed)
    files = {
        # Sở Y tế: UTF-8 with BOM, Windows line endings (Excel's "CSV UTF-8")
        "so-y-te/co-so-kham-chua-benh.csv":
            b"\xef\xbb\xbf" + to_csv(health_facilities(rng)).encode("utf-8"),
        # Sở GD&ĐT: Windows-1258 with decomposed tone marks, as old office software saved it
        "so-giao-duc-dao-tao/co-so-giao-duc.csv":
            windows_1258(to_csv(schools(rng))),
        # Sở Du lịch: plain UTF-8
        "so-du-lich/co-so-luu-tru.csv": to_csv(lodging(rng), "\n").encode("utf-8"),
    }
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
