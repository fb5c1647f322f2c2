"""Issue 16, problems 5, 7 and the TODO point of 8: what `dulieumo new` drafts from the files
agencies really send is safe to keep (typed dates and numbers with their conventions, enum
and pattern proposals with TODOs, the .xlsx table's place, total rows out of the sample),
JSON is refused with a pointer to the API source, a large file is drafted from its head, and
`catalog check` counts only the draft's TODO markers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.authoring.check import check_catalog
from app.authoring.draft import draft, todo_markers
from dulieumo.errors import SpecError
from tests.support.agency_files import (
    FACILITIES,
    conventions_csv,
    json_answer,
    legacy_csv,
    report_xlsx,
)
from tests.support.catalog import copy_catalog


def _draft(root: Path, sample: Path, name: str, **kw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    made = draft(root, f"so-y-te/{name}", sample, **kw)
    spec = yaml.safe_load((root / made.spec).read_text(encoding="utf-8"))
    schema = json.loads((root / made.schema).read_text(encoding="utf-8"))
    return spec, schema


def _fields(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["name"]: f for f in schema["fields"]}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat", only=("co-so-kham-chua-benh",))


@pytest.mark.parametrize(("style", "dec", "grp"), [("vi", ",", "."), ("en", ".", ",")])
def test_dates_numbers_categories_and_codes_are_proposed(
    root: Path, style: str, dec: str, grp: str
) -> None:
    sample = conventions_csv(root / "samples" / f"co-so-{style}.csv", style=style)
    spec, schema = _draft(root, sample, f"co-so-{style}")
    conv = spec["conventions"]
    assert conv["date_format"] == "%d/%m/%Y"
    assert conv.get("decimal_char", ".") == dec and conv["group_char"] == grp
    fields = _fields(schema)
    assert fields["ngay_cap_phep"]["type"] == "date"
    assert fields["kinh_phi_trieu_dong"]["type"] == "number"
    assert fields["so_giuong"]["type"] == "integer"
    loai = fields["loai_hinh"]
    assert loai["constraints"]["enum"] == sorted({f["loai"] for f in FACILITIES})
    assert "TODO: xác nhận danh sách giá trị" in loai["description"]
    ma = fields["ma_co_so"]
    assert ma["constraints"]["pattern"] == "[A-Z]{2}[0-9]{5}"
    assert "TODO: xác nhận mẫu mã" in ma["description"]
    assert schema["primaryKey"] == ["ma_co_so"]


def test_xlsx_draft_places_the_table_and_leaves_the_total_row_out(root: Path) -> None:
    sample = report_xlsx(root / "samples" / "bieu.xlsx", totals="formulas")
    made = draft(root, "so-y-te/bieu", sample)
    assert made.rows == len(FACILITIES)  # not the total row
    spec = yaml.safe_load((root / made.spec).read_text(encoding="utf-8"))
    assert spec["source"]["excel"] == {
        "sheet": "Biểu 01",
        "header_rows": [5],
        "first_data_row": 6,
        "skip_rows": ["Tổng cộng"],
    }
    schema = json.loads((root / made.schema).read_text(encoding="utf-8"))
    fields = _fields(schema)
    # the total row's empty cells no longer make real fields optional
    assert all(f["constraints"].get("required") for f in fields.values())
    assert fields["ngay_cap_phep"]["type"] == "date"


def test_vni_sample_drafts_vni_with_the_right_field_names(root: Path) -> None:
    sample = legacy_csv(root / "samples" / "co-so-vni.csv", "vni")
    spec, schema = _draft(root, sample, "co-so-vni")
    assert spec["source"]["encoding"] == "vni"
    assert [f["title"] for f in schema["fields"]][:2] == ["Mã cơ sở", "Tên cơ sở"]
    assert "ma_co_so" in _fields(schema)


def test_json_is_refused_with_a_pointer_to_the_api_source(root: Path) -> None:
    sample = json_answer(root / "samples" / "co-so.json")
    with pytest.raises(SpecError) as info:
        draft(root, "so-y-te/co-so-json", sample)
    text = str(info.value) + (info.value.hint or "")
    assert "JSON" in text and "type: api" in text and "records:" in text
    assert not (root / "datasets" / "so-y-te" / "co-so-json.yaml").exists()


def test_a_large_file_is_drafted_from_its_head(root: Path) -> None:
    sample = conventions_csv(root / "samples" / "lon.csv")
    size = sample.stat().st_size
    made = draft(root, "so-y-te/lon", sample, max_mb=(size // 3) / (1 << 20))
    assert 0 < made.rows < len(FACILITIES)
    spec = yaml.safe_load((root / made.spec).read_text(encoding="utf-8"))
    assert spec["source"]["path"] == "samples/lon.csv"  # the whole file is what is pulled


def test_catalog_check_counts_only_the_drafts_markers(root: Path) -> None:
    sample = conventions_csv(root / "samples" / "co-so.csv")
    made = draft(root, "so-y-te/co-so-todo", sample)
    for rel in (made.spec, made.schema, made.suite):
        path = root / rel
        text = path.read_text(encoding="utf-8")
        lines = [ln for ln in text.splitlines() if not ln.startswith("# ")]
        text = "\n".join(lines).replace("todo@", "khtc@").replace("TODO: ", "")
        path.write_text(text, encoding="utf-8")
    spec = root / made.spec
    spec.write_text(
        "# Đã điền hết các mục TODO; todo còn lại: không (cán bộ ghi chú)\n"
        + spec.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert todo_markers(spec) == []
    assert [p for p in check_catalog(root) if "TODO" in p.message] == []
