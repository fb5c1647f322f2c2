"""The sample catalogue the demo publishes: deterministic, valid, checked by `catalog check`."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from app.authoring.check import check_catalog
from dulieumo.catalog import load_catalog
from pull import pull_source
from samples.generate import write_all
from tests.support.catalog import REPO_ROOT, copy_catalog

SAMPLES = {
    "co-so-kham-chua-benh": ("samples/so-y-te/co-so-kham-chua-benh.csv", "utf-8-sig"),
    "co-so-giao-duc": ("samples/so-giao-duc-dao-tao/co-so-giao-duc.csv", "windows-1258"),
    "co-so-luu-tru": ("samples/so-du-lich/co-so-luu-tru.csv", "utf-8"),
}


def _codelist() -> list[dict[str, str]]:
    with (REPO_ROOT / "codelists" / "don_vi_hanh_chinh.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path: Path) -> None:
    first = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in write_all(tmp_path / "a")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in write_all(tmp_path / "b")}
    assert first == second
    assert len(first) == 10
    for rel, data in first.items():
        assert (REPO_ROOT / rel).read_bytes() == data, f"{rel} is stale: run samples/generate.py"


def test_samples_are_written_as_agencies_deliver_them() -> None:
    health = (REPO_ROOT / SAMPLES["co-so-kham-chua-benh"][0]).read_bytes()
    assert health.startswith(b"\xef\xbb\xbf") and b"\r\n" in health
    schools = (REPO_ROOT / SAMPLES["co-so-giao-duc"][0]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        schools.decode("utf-8")
    # Windows-1258 keeps tone marks as separate combining characters
    assert any(unicodedata.combining(c) for c in schools.decode("cp1258"))
    lodging = (REPO_ROOT / SAMPLES["co-so-luu-tru"][0]).read_bytes()
    assert not lodging.startswith(b"\xef\xbb\xbf")
    lodging.decode("utf-8")


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_pulls_and_validates_without_errors(tmp_path: Path, name: str) -> None:
    from validate import validate_table

    spec = load_catalog(REPO_ROOT).get(name)
    table = pull_source(spec, root=REPO_ROOT, workdir=tmp_path)
    assert table.source_uri == SAMPLES[name][0]
    assert table.encoding == SAMPLES[name][1]
    rows = list(csv.DictReader(io.StringIO(table.path.read_text(encoding="utf-8"))))
    assert 50 <= len(rows) <= 300
    report = validate_table(table.path, spec, root=REPO_ROOT)
    assert report.ok, report.to_dict()
    assert report.rows == len(rows)
    codes = {r["ma_xa"] for r in _codelist() if r["cap"] == "xã"}
    districts = {r["ma_huyen"] for r in _codelist() if r["cap"] == "huyện"}
    for row in rows:
        if "ma_xa" in row:
            assert row["ma_xa"] in codes
        if "ma_huyen" in row:
            assert row["ma_huyen"] in districts
        if "vi_do" in row:
            assert 20.7 <= float(row["vi_do"]) <= 21.7
            assert 106.4 <= float(row["kinh_do"]) <= 108.1


def test_a_broken_sample_row_is_caught(tmp_path: Path) -> None:
    """The rules are real: a wrong district code and a negative bed count fail validation."""
    from validate import validate_table

    root = copy_catalog(tmp_path / "cat")
    path = root / SAMPLES["co-so-kham-chua-benh"][0]
    lines = path.read_bytes().decode("utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[5]]))
    cells[header.index("ma_xa")] = "99999"
    cells[header.index("so_giuong")] = "-3"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    lines[5] = buf.getvalue()
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    spec = load_catalog(root).get("co-so-kham-chua-benh")
    report = validate_table(
        pull_source(spec, root=root, workdir=tmp_path / "w").path, spec, root=root
    )
    assert not report.ok
    assert report.counts["foreign-key"] == 1


def test_code_list_levels_and_validity() -> None:
    rows = _codelist()
    assert [r["ma"] for r in rows if r["cap"] == "tỉnh"] == ["22"]
    districts = {r["ma"]: r for r in rows if r["cap"] == "huyện"}
    assert set(districts) >= {
        "193",
        "194",
        "195",
        "196",
        "198",
        "199",
        "200",
        "201",
        "202",
        "203",
        "205",
        "206",
        "207",
    }
    assert districts["193"]["ten_huyen"] == "Thành phố Hạ Long"
    assert districts["207"]["ten_huyen"] == "Huyện Cô Tô"
    # the district level was abolished on 1 July 2025
    assert all(d["hieu_luc_den"] <= "2025-06-30" for d in districts.values())
    communes = [r for r in rows if r["cap"] == "xã"]
    assert len({r["ma"] for r in rows}) == len(rows), "ma is the primary key"
    for r in communes:
        assert r["ma"] == r["ma_xa"] and len(r["ma_xa"]) == 5
        assert "06000" <= r["ma_xa"] <= "07999"
        assert r["ma_huyen"] in districts
        assert r["ten_huyen"] == districts[r["ma_huyen"]]["ten_huyen"]
    hong_gai = next(r for r in communes if r["ten_xa"] == "Phường Hồng Gai")
    assert (hong_gai["ma_xa"], hong_gai["ma_huyen"]) == ("06694", "193")


def test_code_list_conforms_to_its_schema() -> None:
    from frictionless import Resource, Schema

    descriptor = json.loads(
        (REPO_ROOT / "schemas/codelists/don_vi_hanh_chinh.json").read_text(encoding="utf-8")
    )
    schema = Schema.from_descriptor(descriptor)
    resource = Resource(
        path="codelists/don_vi_hanh_chinh.csv", basepath=str(REPO_ROOT), schema=schema
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize(
    "rel",
    sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "schemas").glob("*/*.json")),
)
def test_every_schema_field_is_documented_in_vietnamese(rel: str) -> None:
    descriptor = json.loads((REPO_ROOT / rel).read_text(encoding="utf-8"))
    assert descriptor.get("missingValues") == [""]
    assert descriptor.get("primaryKey")
    for field in descriptor["fields"]:
        assert field.get("title") and field.get("description"), f"{rel}: {field['name']}"
        assert unicodedata.is_normalized("NFC", field["description"])
    for fk in descriptor.get("foreignKeys", []):
        assert (REPO_ROOT / "codelists" / f"{fk['reference']['resource']}.csv").is_file()


@pytest.mark.parametrize(
    "rel",
    sorted(
        p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "validations").glob("*/*.json")
    ),
)
def test_every_rule_has_severity_and_vietnamese_message(rel: str) -> None:
    suite = json.loads((REPO_ROOT / rel).read_text(encoding="utf-8"))
    assert suite["expectations"]
    types = {e["type"] for e in suite["expectations"]}
    assert "expect_table_row_count_to_be_between" in types
    for e in suite["expectations"]:
        assert e["meta"]["severity"] in ("error", "warning")
        assert e["meta"]["message_vi"].strip()


def test_repository_catalogue_checks_clean() -> None:
    assert check_catalog(REPO_ROOT) == []


def test_check_reports_broken_code_list_references(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    schema_rel = "schemas/so-du-lich/co-so-luu-tru.json"
    descriptor = json.loads((root / schema_rel).read_text(encoding="utf-8"))
    descriptor["foreignKeys"] = [
        {"fields": "ma_huyen", "reference": {"resource": "danh_muc_huyen", "fields": "ma"}},
        {"fields": "ma_huyen", "reference": {"resource": "don_vi_hanh_chinh", "fields": "ma_quan"}},
    ]
    (root / schema_rel).write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    (root / "samples/so-y-te/co-so-kham-chua-benh.csv").unlink()
    problems = check_catalog(root)
    by_path = {(p.file, p.path): p for p in problems}
    missing = by_path[(schema_rel, "foreignKeys[0].reference.resource")]
    assert "codelists/danh_muc_huyen.csv" in missing.message and missing.severity == "error"
    column = by_path[(schema_rel, "foreignKeys[1].reference.fields")]
    assert "no column 'ma_quan'" in column.message
    source = by_path[("datasets/so-y-te/co-so-kham-chua-benh.yaml", "source.path")]
    assert source.severity == "warning"


def test_check_reports_spec_problems_with_file_and_path(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    spec = root / "datasets/so-du-lich/co-so-luu-tru.yaml"
    spec.write_text(
        spec.read_text(encoding="utf-8").replace(
            "organization: so-du-lich", "organization: so-du-lichh"
        ),
        encoding="utf-8",
    )
    problems = check_catalog(root)
    assert [(p.file, p.path, p.severity) for p in problems] == [
        ("datasets/so-du-lich/co-so-luu-tru.yaml", "organization", "error")
    ]
    assert "did you mean 'so-du-lich'" in problems[0].message
    assert problems[0].to_dict()["path"] == "organization"


def test_check_reports_a_broken_portal_file(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    (root / "datasets/portal.yaml").write_text("province: [22\n", encoding="utf-8")
    problems = check_catalog(root)
    assert len(problems) == 1
    assert problems[0].file == "datasets/portal.yaml"
    assert "invalid YAML" in problems[0].message


# ------------------------------------------------------------ the whole sample catalogue

#: dataset → (source type, what else the source shows); the sample catalogue uses every
#: connector type at least once
SOURCES = {
    "co-so-kham-chua-benh": "file",
    "co-so-giao-duc": "file",
    "co-so-luu-tru": "file",
    "dien-tich-dat-theo-muc-dich": "file",
    "thong-ke-can-bo-cong-chuc": "file",
    "chi-so-gia-xay-dung": "http",
    "doanh-nghiep-thanh-lap-moi": "api",
    "quan-trac-moi-truong-tu-dong": "api",
    "du-an-dau-tu-cong": "sql",
    "ho-so-thu-tuc-hanh-chinh": "ckan",
}


def test_ten_datasets_from_six_organisations_use_every_connector() -> None:
    cat = load_catalog(REPO_ROOT)
    specs = cat.datasets
    assert set(specs) == set(SOURCES)
    assert len({s.organization for s in specs.values()}) >= 6
    assert {name: s.source.type for name, s in specs.items()} == SOURCES
    formats = {
        (
            s.source.type,
            getattr(s.source, "encoding", None),
            getattr(s.source, "excel", None) is not None,
        )
        for s in specs.values()
    }
    assert ("file", "tcvn3", False) in formats and ("file", "windows-1258", False) in formats
    assert any(excel for _, _, excel in formats)
    styles = {
        s.source.pagination.style
        for s in specs.values()  # type: ignore[union-attr]
        if s.source.type == "api"
    }
    assert styles == {"page", "next"}
    conventions = [s.conventions for s in specs.values() if s.conventions is not None]
    assert any(c.date_format == "%d/%m/%Y" for c in conventions)
    assert any(c.decimal_char == "," and c.group_char == "." for c in conventions)
    assert any("x" in c.true_values and "không" in c.false_values for c in conventions)
    assert any("-" in c.null_markers for c in conventions)
    assert any(any(" " in k and not k.isascii() for k in c.columns) for c in conventions)
    for s in specs.values():  # every organisation and group is browsable on the portal
        assert s.groups, s.name


def _pull(name: str, root: Path, workdir: Path) -> tuple[Any, Path]:
    spec = load_catalog(root).get(name)
    return spec, pull_source(spec, root=root, workdir=workdir).path


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_sample_pulls_and_validates_clean(agency: Any, tmp_path: Path, name: str) -> None:
    from validate import validate_table

    spec, path = _pull(name, REPO_ROOT, tmp_path)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 50
    report = validate_table(path, spec, root=REPO_ROOT)
    assert report.ok, report.to_dict()
    assert report.rows == len(rows)
    # (row-count-unchecked: no portal to compare with; the e2e test publishes for real)
    assert not [
        f for f in report.findings if f.severity == "warning" and f.code != "row-count-unchecked"
    ], report.to_dict()
    # the real administrative codes of Quảng Ninh, valid at the time of the data
    units = {r["ma"]: r for r in _codelist()}
    for row in rows:
        for key in ("ma_xa", "ma_huyen"):
            if key in row:
                assert row[key] in units, (name, row)
                assert units[row[key]]["hieu_luc_den"] in ("", "2025-06-30")


def _codes(name: str, column: str) -> set[str]:
    with (REPO_ROOT / "codelists" / f"{name}.csv").open(encoding="utf-8") as fh:
        return {r[column] for r in csv.DictReader(fh)}


@pytest.mark.parametrize("name", ["co_quan", "nganh_vsic", "don_vi_hanh_chinh"])
def test_every_code_list_conforms_to_its_schema(name: str) -> None:
    from frictionless import Resource, Schema

    descriptor = json.loads(
        (REPO_ROOT / f"schemas/codelists/{name}.json").read_text(encoding="utf-8")
    )
    descriptor.pop("foreignKeys", None)  # checked below, against the other code list
    resource = Resource(
        path=f"codelists/{name}.csv",
        basepath=str(REPO_ROOT),
        schema=Schema.from_descriptor(descriptor),
    )
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_code_lists_hold_real_codes() -> None:
    agencies = _codes("co_quan", "ma_dinh_danh")
    assert "H41" in agencies  # UBND tỉnh Quảng Ninh (QĐ 20/2020/QĐ-TTg)
    portal = load_catalog(REPO_ROOT).portal
    assert {o.code for o in portal.organizations} <= agencies
    with (REPO_ROOT / "codelists/co_quan.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    units = _codes("don_vi_hanh_chinh", "ma")
    for r in rows:
        if r["ma_huyen"]:
            assert r["ma_huyen"] in units and r["hieu_luc_den"] == "2025-06-30"
        assert r["ma_cap_tren"] in agencies | {""}
    with (REPO_ROOT / "codelists/nganh_vsic.csv").open(encoding="utf-8") as fh:
        vsic = {r["ma_nganh"]: r for r in csv.DictReader(fh)}
    # VSIC 2018 (QĐ 27/2018/QĐ-TTg): level-4 code, its name and its section letter
    assert vsic["5510"]["ten_nganh"] == "Dịch vụ lưu trú ngắn ngày"
    assert vsic["5510"]["ma_nganh_cap1"] == "I"
    assert vsic["0510"]["ten_nganh"] == "Khai thác và thu gom than cứng"
    assert vsic["4101"]["ten_nganh"] == "Xây dựng nhà để ở"
    assert all(len(code) == 4 and code.isdigit() for code in vsic)


@pytest.mark.parametrize(
    "rel",
    sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "datasets").glob("*/*.yaml")),
)
def test_schema_foreign_keys_resolve_to_code_lists(rel: str) -> None:
    spec = load_catalog(REPO_ROOT).get(Path(rel).stem)
    descriptor = json.loads((REPO_ROOT / spec.schema_path).read_text(encoding="utf-8"))
    assert descriptor.get("foreignKeys"), f"{rel}: no foreign key to a shared code list"
    names = {f["name"] for f in descriptor["fields"]}
    for fk in descriptor["foreignKeys"]:
        ref = fk["reference"]
        assert fk["fields"] in names
        assert (REPO_ROOT / "schemas/codelists" / f"{ref['resource']}.json").is_file()
        with (REPO_ROOT / "codelists" / f"{ref['resource']}.csv").open(encoding="utf-8") as fh:
            assert ref["fields"] in next(csv.reader(fh))
    for field in descriptor["fields"]:
        if field["type"] in ("integer", "number") and field["name"] not in (
            "vi_do",
            "kinh_do",
            "nam",
        ):
            assert field.get("unit") or "minimum" in field.get("constraints", {}), (
                f"{rel}: {field['name']} has neither a unit nor a lower bound"
            )


#: per dataset, per expectation index of its suite: (data rows, changes) that break exactly
#: the business rule the agency stated; applied to the pulled, normalised CSV
CORRUPTIONS: dict[str, dict[int, tuple[list[int], dict[str, str]]]] = {
    "co-so-kham-chua-benh": {
        1: ([1], {"so_giuong": "5000"}),
        2: ([2], {"loai_hinh": "TRAM_YT_XA", "so_giuong": "80"}),
        3: ([3], {"vi_do": "10.5"}),
        4: ([4], {"kinh_do": "100.0"}),
        5: ([5], {"ngay_cap_nhat": "2099-01-01"}),
        6: (list(range(10, 60)), {"so_bac_si": ""}),
    },
    "co-so-giao-duc": {
        1: ([1], {"so_hoc_sinh": "5", "so_giao_vien": "9", "so_lop": "1"}),
        2: ([2], {"so_lop": "50", "so_hoc_sinh": "40", "so_giao_vien": "10"}),
        3: ([3], {"so_lop": "200", "so_hoc_sinh": "8000"}),
        4: ([4], {"so_giao_vien": "0"}),
        5: ([5], {"nam_hoc": "2019-2020"}),
    },
    "co-so-luu-tru": {
        1: ([1], {"loai": "BIET_THU", "hang_sao": "1"}),
        2: ([2], {"website": "www.halong.vn"}),
        3: ([3], {"vi_do": "10"}),
        4: ([4], {"kinh_do": "100"}),
        5: ([5], {"so_phong": "3000"}),
        6: ([6, 7], {"ten": "Khách sạn Trùng Tên"}),
    },
    "doanh-nghiep-thanh-lap-moi": {
        1: ([1], {"ngay_thanh_lap": "2099-05-01"}),
        2: ([2], {"ngay_thanh_lap": "1995-01-01"}),
        3: ([3], {"von_dieu_le": "0.5"}),
        4: ([4], {"so_lao_dong": "9000"}),
        5: ([5], {"co_von_nuoc_ngoai": ""}),
    },
    "du-an-dau-tu-cong": {
        1: ([1], {"ty_le_giai_ngan": "120"}),
        2: ([2], {"von_ke_hoach_nam": "1000", "giai_ngan": "1500", "ty_le_giai_ngan": "150"}),
        3: (
            [3],
            {
                "tong_muc_dau_tu": "10",
                "von_ke_hoach_nam": "20",
                "giai_ngan": "10",
                "ty_le_giai_ngan": "50",
            },
        ),
        4: ([4], {"von_ke_hoach_nam": "1000", "giai_ngan": "500", "ty_le_giai_ngan": "70"}),
        5: ([5], {"nhom_du_an": "C", "tong_muc_dau_tu": "9000000"}),
        6: (
            [6],
            {
                "nhom_du_an": "A",
                "tong_muc_dau_tu": "50000",
                "von_ke_hoach_nam": "1000",
                "giai_ngan": "500",
                "ty_le_giai_ngan": "50",
            },
        ),
        7: ([7], {"ngay_cap_nhat": "2099-01-01"}),
    },
    "thong-ke-can-bo-cong-chuc": {
        1: ([1], {"nam": "2101"}),
        2: ([2], {"tong_so": "25000"}),
        3: ([3], {"tong_so": "500", "nam_gioi": "100", "nu_gioi": "100"}),
        4: (
            [4],
            {
                "tong_so": "100",
                "nam_gioi": "50",
                "nu_gioi": "50",
                "tien_si": "10",
                "thac_si": "10",
                "dai_hoc": "10",
                "duoi_dai_hoc": "10",
            },
        ),
        5: ([5], {"nu_gioi": "999999"}),
        6: ([6], {"dai_hoc": "999999"}),
    },
    "dien-tich-dat-theo-muc-dich": {
        1: ([1], {"dien_tich": "90000"}),
        2: ([2], {"nam": "2101"}),
        3: ([3], {"ten_loai_dat": "Đất khác"}),
    },
    "quan-trac-moi-truong-tu-dong": {
        1: (
            [1],
            {
                "thong_so": "pH",
                "don_vi": "pH",
                "gia_tri": "15",
                "nguong_qcvn": "8.5",
                "vuot_nguong": "true",
            },
        ),
        2: ([0], {"gia_tri": "900", "vuot_nguong": "true"}),
        3: ([2], {"gia_tri": "999", "vuot_nguong": "false"}),
        4: ([3], {"gia_tri": "1", "vuot_nguong": "true"}),
        5: ([4], {"don_vi": "mg/L"}),
        6: ([5], {"ma_tram": "QN-NM-09"}),
    },
    "chi-so-gia-xay-dung": {
        1: ([1], {"chi_so_chung": "300"}),
        2: ([2], {"chi_so_vat_lieu": "20"}),
        3: ([3], {"chi_so_nhan_cong": "400"}),
        4: ([4], {"chi_so_may": "10"}),
        5: (
            [5],
            {
                "chi_so_chung": "130",
                "chi_so_vat_lieu": "110",
                "chi_so_nhan_cong": "111",
                "chi_so_may": "112",
            },
        ),
        6: ([6], {"ten_loai_cong_trinh": "Công trình khác"}),
    },
    "ho-so-thu-tuc-hanh-chinh": {
        1: ([1], {"truc_tuyen": "999999"}),
        2: ([2], {"da_giai_quyet": "10", "dung_han": "3", "qua_han": "3"}),
        3: ([3], {"ty_le_hai_long": "150"}),
        4: ([4], {"da_giai_quyet": "99999", "dung_han": "99999", "qua_han": "0"}),
    },
}


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_business_rule_fails_on_a_corrupted_sample(
    agency: Any, tmp_path: Path, name: str
) -> None:
    """Each rule of each suite bites: the corruption made for it produces a finding of that
    very expectation, at the corrupted row. (Rule 0, "at least one row", is the empty-file
    case, covered by the pull and validate tests.)"""
    from validate import validate_table

    spec, path = _pull(name, REPO_ROOT, tmp_path)
    suite = json.loads((REPO_ROOT / spec.suite_path).read_text(encoding="utf-8"))
    wanted = CORRUPTIONS[name]
    assert set(wanted) == set(range(1, len(suite["expectations"]))), (
        "every rule of the suite needs a corruption that proves it"
    )
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    for data_rows, changes in wanted.values():
        for r in data_rows:
            rows[r].update(changes)
    bad = tmp_path / "corrupted.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report = validate_table(bad, spec, root=REPO_ROOT)
    fired: dict[int, set[int | None]] = {}
    for f in report.findings:
        if f.code.startswith("expectation-") and "index" in f.details:
            fired.setdefault(f.details["index"], set()).add(f.row)
    for index, (data_rows, _) in wanted.items():
        message = suite["expectations"][index]["meta"]["message_vi"]
        assert index in fired, f"{name}: rule {index} ({message}) did not fail"
        if fired[index] != {None}:
            assert data_rows[0] + 2 in fired[index], (name, index, fired[index])
    assert not report.ok


def test_a_code_missing_from_its_code_list_is_a_foreign_key_finding(
    agency: Any, tmp_path: Path
) -> None:
    from validate import validate_table

    spec, path = _pull("doanh-nghiep-thanh-lap-moi", REPO_ROOT, tmp_path)
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = next(csv.reader([text[3]]))
    cells[header.index("nganh_vsic")] = "9999"  # not a VSIC 2018 code
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(cells)
    text[3] = buf.getvalue()
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = validate_table(path, spec, root=REPO_ROOT)
    assert not report.ok
    found = [f for f in report.findings if f.code == "foreign-key"]
    assert [(f.row, f.field, f.value) for f in found] == [(4, "nganh_vsic", "9999")]


def test_an_unsuppressed_small_count_in_the_civil_servant_statistics_is_caught(
    tmp_path: Path,
) -> None:
    """The agency writes counts of 1-4 as "<5" (null after pull); `quality.aggregate` makes
    a small count that slips through a finding, so it is never published."""
    from validate import validate_table

    spec, path = _pull("thong-ke-can-bo-cong-chuc", REPO_ROOT, tmp_path)
    assert spec.quality.aggregate is not None
    assert spec.quality.aggregate.suppression_threshold == 5
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = list(reader.fieldnames or []), list(reader)
    assert any(r["tien_si"] == "" for r in rows)  # suppressed or none in the source
    assert all(
        r[f] == "" or int(r[f]) >= 5 for r in rows for f in spec.quality.aggregate.count_fields
    )
    rows[2]["tien_si"] = "3"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report = validate_table(path, spec, root=REPO_ROOT)
    small = [f for f in report.findings if f.code == "pii-small-count"]
    # the third data row is Excel row 9 of the sheet (header rows 5-6, data from row 7)
    assert [(f.row, f.field) for f in small] == [(9, "tien_si")]
    assert "dòng 9 (trang tính «Biểu 01»)" in small[0].message
    assert not report.ok


def test_new_samples_have_their_agencies_shapes() -> None:
    from openpyxl import load_workbook

    from pull.tcvn3 import DECODING_TABLE

    land = REPO_ROOT / "samples/so-tai-nguyen-moi-truong/dien-tich-dat-theo-muc-dich.csv"
    raw = land.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = "".join(DECODING_TABLE[b] for b in raw)
    assert text.startswith("Năm;Mã xã;Mã loại đất;Tên loại đất;Diện tích (ha)")
    assert "Đất trồng lúa" in text and ";35,82" in text
    with (REPO_ROOT / "samples/so-noi-vu/thong-ke-can-bo-cong-chuc.xlsx").open("rb") as fh:
        wb = load_workbook(fh)
    ws = wb["Biểu 01"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:K1", "A5:A6", "F5:G5", "H5:K5"} <= merged
    assert ws["F6"].value == "Nam" and ws["H5"].value == "Trình độ chuyên môn"
    values = [c for row in ws.iter_rows(min_row=7, values_only=True) for c in row]
    assert "<5" in values and "-" in values
    assert str(ws.cell(ws.max_row, 1).value).startswith("Nguồn:")
    firms = json.loads(
        (REPO_ROOT / "samples/so-ke-hoach-dau-tu/doanh-nghiep-thanh-lap-moi.json").read_text(
            encoding="utf-8"
        )
    )
    assert all(r["ngayThanhLap"][2] == "/" for r in firms)
    assert {r["coVonNuocNgoai"] for r in firms} == {"x", "có", "không"}
    sql = (REPO_ROOT / "samples/so-ke-hoach-dau-tu/du-an-dau-tu-cong.sql").read_text("utf-8")
    assert sql.count("INSERT INTO du_an_dau_tu_cong") == 160
    index = (REPO_ROOT / "samples/so-xay-dung/chi-so-gia-xay-dung.csv").read_bytes()
    assert index.startswith(b"\xef\xbb\xbf") and b";" in index.splitlines()[0]
