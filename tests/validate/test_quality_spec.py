"""The `quality:` spec key: typed, checked against the schema by `catalog check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.authoring.check import check_catalog
from dulieumo.catalog import load_catalog
from dulieumo.errors import SpecError
from tests.support.catalog import copy_catalog, edit_spec

DATASET = "co-so-luu-tru"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def test_quality_is_loaded_typed(root: Path) -> None:
    edit_spec(
        root,
        DATASET,
        lambda d: d.__setitem__(
            "quality",
            {
                "row_count_tolerance": 0.2,
                "pii_allow": ["dia_chi"],
                "formula_injection": "reject",
                "aggregate": {"count_fields": ["so_phong"], "suppression_threshold": 3},
            },
        ),
    )
    q = load_catalog(root).get(DATASET).quality
    assert q.row_count_tolerance == 0.2 and q.pii_allow == ["dia_chi"]
    assert q.formula_injection == "reject" and q.aggregate is not None
    assert q.aggregate.suppression_threshold == 3
    assert check_catalog(root) == []
    assert (
        load_catalog(copy_catalog(root / "fresh")).get(DATASET).quality.formula_injection
        == "escape"
    )  # the default


@pytest.mark.parametrize(
    ("quality", "needle"),
    [
        ({"formula_injection": "strip"}, "quality.formula_injection"),
        ({"row_count_tolerance": -1}, "quality.row_count_tolerance"),
        ({"pii_alow": ["x"]}, "quality.pii_alow"),
    ],
)
def test_bad_quality_values_name_the_key(root: Path, quality: dict, needle: str) -> None:
    edit_spec(root, DATASET, lambda d: d.__setitem__("quality", quality))
    with pytest.raises(SpecError, match=needle.replace(".", r"\.")):
        load_catalog(root).get(DATASET)


def test_catalog_check_compares_quality_with_the_schema(root: Path) -> None:
    edit_spec(
        root,
        DATASET,
        lambda d: d.__setitem__(
            "quality", {"pii_allow": ["so_dien_thoai"], "aggregate": {"count_fields": ["ten"]}}
        ),
    )
    problems = [str(p) for p in check_catalog(root)]
    assert any("pii_allow: 'so_dien_thoai' is not a field" in p for p in problems), problems
    assert any("count_fields: 'ten' is a string field" in p for p in problems), problems
    assert all("co-so-luu-tru.yaml" in p for p in problems), problems


def test_foreign_key_to_another_dataset_passes_catalog_check(root: Path) -> None:
    path = root / "schemas" / "so-du-lich" / f"{DATASET}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["foreignKeys"].append(
        {
            "fields": "ma_huyen",
            "reference": {"resource": "co-so-kham-chua-benh", "fields": "ma_huyen"},
        }
    )
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert check_catalog(root) == []
    schema["foreignKeys"][-1]["reference"]["resource"] = "khong-ton-tai"
    path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    assert any("khong-ton-tai" in str(p) for p in check_catalog(root))
