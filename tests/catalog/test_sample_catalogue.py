"""The sample catalogue the demo publishes: deterministic, valid, checked by `catalog check`."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path

import pytest

from dulieumo.catalog import check_catalog, load_catalog
from pull import pull_source
from samples.generate import write_all
from tests.catalog.catalog_fixtures import REPO_ROOT, copy_catalog

SAMPLES = {
    "co-so-kham-chua-benh": ("samples/so-y-te/co-so-kham-chua-benh.csv", "utf-8-sig"),
    "co-so-giao-duc": ("samples/so-giao-duc-dao-tao/co-so-giao-duc.csv", "windows-1258"),
    "co-so-luu-tru": ("samples/so-du-lich/co-so-luu-tru.csv", "utf-8"),
}


def _codelist() -> list[dict[str, str]]:
    with (REPO_ROOT / "codelists" / "don_vi_hanh_chinh.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path: Path) -> None:
    first = {p.relative_to(tmp_path / "a"): p.read_bytes()
             for p in write_all(tmp_path / "a")}
    second = {p.relative_to(tmp_path / "b"): p.read_bytes()
              for p in write_all(tmp_path / "b")}
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
    report = validate_table(pull_source(spec, root=root, workdir=tmp_path / "w").path, spec,
                            root=root)
    assert not report.ok
    assert report.counts["foreign-key"] == 1


def test_code_list_levels_and_validity() -> None:
    rows = _codelist()
    assert [r["ma"] for r in rows if r["cap"] == "tỉnh"] == ["22"]
    districts = {r["ma"]: r for r in rows if r["cap"] == "huyện"}
    assert set(districts) >= {"193", "194", "195", "196", "198", "199", "200", "201", "202",
                              "203", "205", "206", "207"}
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

    descriptor = json.loads((REPO_ROOT / "schemas/codelists/don_vi_hanh_chinh.json")
                            .read_text(encoding="utf-8"))
    schema = Schema.from_descriptor(descriptor)
    resource = Resource(path="codelists/don_vi_hanh_chinh.csv", basepath=str(REPO_ROOT),
                        schema=schema)
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


@pytest.mark.parametrize("rel", sorted(p.relative_to(REPO_ROOT).as_posix()
                                       for p in (REPO_ROOT / "schemas").glob("*/*.json")))
def test_every_schema_field_is_documented_in_vietnamese(rel: str) -> None:
    descriptor = json.loads((REPO_ROOT / rel).read_text(encoding="utf-8"))
    assert descriptor.get("missingValues") == [""]
    assert descriptor.get("primaryKey")
    for field in descriptor["fields"]:
        assert field.get("title") and field.get("description"), f"{rel}: {field['name']}"
        assert unicodedata.is_normalized("NFC", field["description"])
    for fk in descriptor.get("foreignKeys", []):
        assert (REPO_ROOT / "codelists" / f"{fk['reference']['resource']}.csv").is_file()


@pytest.mark.parametrize("rel", sorted(p.relative_to(REPO_ROOT).as_posix()
                                       for p in (REPO_ROOT / "validations").glob("*/*.json")))
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
        {"fields": "ma_huyen", "reference": {"resource": "don_vi_hanh_chinh",
                                             "fields": "ma_quan"}},
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
    spec.write_text(spec.read_text(encoding="utf-8").replace("organization: so-du-lich",
                                                             "organization: so-du-lichh"),
                    encoding="utf-8")
    problems = check_catalog(root)
    assert [(p.file, p.path, p.severity) for p in problems] == [
        ("datasets/so-du-lich/co-so-luu-tru.yaml", "organization", "error")]
    assert "did you mean 'so-du-lich'" in problems[0].message
    assert problems[0].to_dict()["path"] == "organization"


def test_check_reports_a_broken_portal_file(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    (root / "datasets/portal.yaml").write_text("province: [22\n", encoding="utf-8")
    problems = check_catalog(root)
    assert len(problems) == 1
    assert problems[0].file == "datasets/portal.yaml"
    assert "invalid YAML" in problems[0].message
