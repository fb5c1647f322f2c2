"""`dulieumo new` drafts a dataset from a sample; `catalog check` flags every TODO left."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from app.authoring.check import check_catalog
from app.authoring.draft import draft, field_name
from dulieumo.catalog import load_catalog
from dulieumo.errors import DulieumoError, SpecError
from tests.support.catalog import copy_catalog
from tests.support.cli import json_out, run

SAMPLE = "samples/so-giao-duc-dao-tao/co-so-giao-duc.csv"  # Windows-1258
XLSX = "samples/so-noi-vu/thong-ke-can-bo-cong-chuc.xlsx"


def test_field_names_are_ascii_snake_case() -> None:
    assert field_name("Số giường bệnh (giường)") == "so_giuong_benh_giuong"
    assert field_name("Đơn vị") == "don_vi"
    assert field_name("2024") == "f_2024"


@pytest.mark.slow
def test_new_drafts_spec_schema_and_suite_that_check_flags(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    proc = run("new", "so-y-te/nha-thuoc", "--from", str(root / SAMPLE), "--json", root=root)
    assert proc.returncode == 0, proc.stderr
    made = json_out(proc)
    assert made["fields"] == 9 and made["rows"] == 153 and made["todos"] > 10
    spec = yaml.safe_load((root / made["spec"]).read_text(encoding="utf-8"))
    assert spec["organization"] == "so-y-te"
    assert spec["source"] == {"type": "file", "path": SAMPLE, "encoding": "windows-1258"}
    schema = json.loads((root / made["schema"]).read_text(encoding="utf-8"))
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["so_hoc_sinh"] == "integer"
    assert types["ma_xa"] == "string" and types["ma_truong"] == "string"  # codes keep zeros
    assert schema["primaryKey"] == ["ma_truong"]
    assert {
        "fields": "ma_xa",
        "reference": {"resource": "don_vi_hanh_chinh", "fields": "ma"},
    } in schema["foreignKeys"]
    suite = json.loads((root / made["suite"]).read_text(encoding="utf-8"))
    columns = {e["kwargs"].get("column") for e in suite["expectations"]}
    assert "so_hoc_sinh" in columns

    problems = check_catalog(root)
    todo = [p for p in problems if "TODO" in p.message]
    assert todo and all(p.severity == "error" for p in todo)
    where = {(p.file, p.path) for p in todo}
    assert ("datasets/so-y-te/nha-thuoc.yaml", "title.vi") in where
    assert ("datasets/so-y-te/nha-thuoc.yaml", "maintainer.email") in where
    assert ("schemas/so-y-te/nha-thuoc.json", "fields[7].description (so_hoc_sinh)") in where
    assert any(
        f == "validations/so-y-te/nha-thuoc.json" and p.startswith("expectations[")
        for f, p in where
    )
    assert not [p for p in problems if "TODO" not in p.message], problems  # a valid draft
    proc = run("catalog", "check", root=root)
    assert proc.returncode == 1 and "fields[7].description (so_hoc_sinh)" in proc.stdout


def test_a_filled_in_draft_checks_clean_and_validates(tmp_path: Path) -> None:
    from pull import pull_source
    from validate import validate_table

    root = copy_catalog(tmp_path / "cat")
    made = draft(root, "so-giao-duc-dao-tao/truong-hoc-2", root / SAMPLE)
    for rel in (made.spec, made.schema, made.suite):
        path = root / rel
        text = path.read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines() if not ln.startswith("# ")]
        text = "\n".join(lines).replace("todo@", "khtc@").replace("TODO: ", "")
        path.write_text(text, encoding="utf-8")
    assert check_catalog(root) == []
    spec = load_catalog(root).get("truong-hoc-2")
    table = pull_source(spec, root=root, workdir=tmp_path / "w")
    report = validate_table(table.path, spec, root=root)
    assert report.ok, report.to_dict()
    assert report.rows == 153


def test_new_reads_an_excel_report_with_a_merged_header(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    made = draft(root, "so-noi-vu/bieu-02", root / XLSX)
    spec = yaml.safe_load((root / made.spec).read_text(encoding="utf-8"))
    assert spec["source"]["excel"] == {
        "sheet": "Biểu 01",
        "header_rows": [5, 6],
        "first_data_row": 7,
    }
    assert spec["conventions"]["columns"]["Giới tính / Nữ"] == "gioi_tinh_nu"
    assert made.rows == 52  # the footnotes are not data


def test_new_refuses_unknown_agencies_and_existing_datasets(tmp_path: Path) -> None:
    root = copy_catalog(tmp_path / "cat")
    with pytest.raises(SpecError, match="not an organisation"):
        draft(root, "so-khong-co/abc", root / SAMPLE)
    with pytest.raises(SpecError, match="already"):
        draft(root, "so-y-te/co-so-kham-chua-benh", root / SAMPLE)
    with pytest.raises(SpecError, match="already used"):
        draft(root, "so-y-te/co-so-giao-duc", root / SAMPLE)
    with pytest.raises(SpecError, match="agency>/<dataset>"):
        draft(root, "Nha Thuoc", root / SAMPLE)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(DulieumoError, match="empty"):
        draft(root, "so-y-te/rong", empty)
    proc = run("new", "so-khong-co/abc", "--from", SAMPLE, root=root)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "datasets/portal.yaml" in proc.stderr
