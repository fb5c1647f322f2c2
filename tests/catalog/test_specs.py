"""Dataset specs and the portal file: typed, and every error names the file and field."""

from __future__ import annotations

import json

import pytest
import yaml

from app.authoring.check import check_catalog
from dulieumo.catalog import load_catalog
from dulieumo.errors import SpecError
from tests.support.catalog import copy_catalog, edit_spec, spec_file

DATASET = "co-so-kham-chua-benh"


@pytest.fixture
def root(tmp_path):
    return copy_catalog(tmp_path)


def test_sample_catalogue_loads_and_checks_clean(root):
    cat = load_catalog(root)
    assert set(cat.names()) >= {"co-so-kham-chua-benh", "co-so-giao-duc", "co-so-luu-tru"}
    spec = cat.get("so-y-te/co-so-kham-chua-benh")
    assert spec.agency == "so-y-te" and spec.organization == "so-y-te"
    assert spec.title.vi.startswith("Danh sách cơ sở khám bệnh")
    assert {o.name for o in cat.portal.organizations} >= {"so-y-te", "so-du-lich"}
    assert check_catalog(root) == []


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (lambda d: d.pop("title"), "co-so-kham-chua-benh.yaml: title: required field is missing"),
        (lambda d: d.__setitem__("frequency", "moi-gio"), "co-so-kham-chua-benh.yaml: frequency"),
        (
            lambda d: d.__setitem__("maintainer", {"name": "A", "email": "khong-phai-email"}),
            "maintainer.email",
        ),
        (lambda d: d["source"].__setitem__("url", "x"), "source.url"),
        (lambda d: d.__setitem__("organisation", "so-y-te"), "organisation: unknown field"),
        (
            lambda d: d.__setitem__("organization", "so-khong-co"),
            "organization: 'so-khong-co' is not declared in datasets/portal.yaml",
        ),
        (lambda d: d.__setitem__("groups", ["y-te", "khong-co"]), "groups[1]: 'khong-co'"),
        (
            lambda d: d.__setitem__("schema", "schemas/khong-co.json"),
            "schema: file 'schemas/khong-co.json' does not exist",
        ),
        (lambda d: d["source"].__setitem__("encoding", "latin-1"), "source.encoding"),
    ],
)
def test_bad_specs_name_file_and_field(root, change, needle):
    edit_spec(root, DATASET, change)
    with pytest.raises(SpecError) as err:
        load_catalog(root).get(DATASET)
    assert needle in str(err.value)
    assert "dulieumo catalog check" in str(err.value)


def test_yaml_syntax_error_names_the_line(root):
    path = spec_file(root, DATASET)
    path.write_text("title:\n  vi: [unclosed\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"co-so-kham-chua-benh\.yaml: line \d+"):
        load_catalog(root).get(DATASET)


def test_unknown_dataset_lists_the_known_ones(root):
    with pytest.raises(SpecError, match="Known datasets: chi-so-gia-xay-dung, co-so-giao-duc"):
        load_catalog(root).get("khong-ton-tai")


def test_one_broken_spec_does_not_hide_the_others(root):
    edit_spec(root, DATASET, lambda d: d.pop("title"))
    cat = load_catalog(root)
    assert cat.get("co-so-luu-tru").name == "co-so-luu-tru"


def test_catalog_check_reports_schema_suite_and_todo_problems(root):
    schema = root / "schemas" / "so-du-lich" / "co-so-luu-tru.json"
    schema.write_text(
        schema.read_text(encoding="utf-8").replace('"integer"', '"integr"', 1), encoding="utf-8"
    )
    suite = root / "validations" / "so-y-te" / "co-so-kham-chua-benh.json"
    data = yaml.safe_load(suite.read_text(encoding="utf-8"))
    data["expectations"][1]["kwargs"]["column"] = "so_giuong_benh"
    suite.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    edit_spec(root, "co-so-giao-duc", lambda d: d.__setitem__("tags", ["TODO: thêm từ khóa"]))
    problems = check_catalog(root)
    text = "\n".join(f"{p.file}: {p.message}" for p in problems)
    assert "integr" in text and "not supported" in text
    assert "unknown column 'so_giuong_benh'" in text
    assert "TODO" in text
