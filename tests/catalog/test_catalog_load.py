"""The catalogue loads, and every malformed spec is refused naming the file and the field."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import (
    CatalogSpecError,
    DatasetSpec,
    FileSource,
    HttpSource,
    field_path,
    load_catalog,
)
from dulieumo.errors import SpecError
from tests.support.catalog import REPO_ROOT, copy_catalog
from tests.support.catalog import read_yaml as read
from tests.support.catalog import write_yaml as write

HEALTH = "datasets/so-y-te/co-so-kham-chua-benh.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat")


# ------------------------------------------------------------------ the real catalogue


def test_repository_catalogue_loads() -> None:
    cat = load_catalog(REPO_ROOT)
    assert cat.portal.province.code == "22"
    assert cat.portal.province.name == "Quảng Ninh"
    assert cat.portal.site_title == "Cổng dữ liệu mở tỉnh Quảng Ninh"
    orgs = {o.name: o for o in cat.portal.organizations}
    for name, title in [
        ("so-y-te", "Sở Y tế"),
        ("so-giao-duc-dao-tao", "Sở Giáo dục và Đào tạo"),
        ("so-du-lich", "Sở Du lịch"),
        ("so-ke-hoach-dau-tu", "Sở Kế hoạch và Đầu tư"),
        ("so-thong-tin-truyen-thong", "Sở Thông tin và Truyền thông"),
    ]:
        assert orgs[name].title == title
        assert orgs[name].code and orgs[name].code.startswith("H41.")
    assert len({o.code for o in orgs.values()}) == len(orgs), "mã định danh must be unique"
    groups = {g.name: g.title for g in cat.portal.groups}
    assert groups["y-te"] == "Y tế"
    assert groups["giao-duc-dao-tao"] == "Giáo dục – Đào tạo"

    datasets = cat.datasets
    assert {"co-so-kham-chua-benh", "co-so-giao-duc", "co-so-luu-tru"} <= set(datasets)
    assert len(datasets) >= 10
    assert len({s.organization for s in datasets.values()}) >= 6
    for name, spec in datasets.items():
        assert spec.name == name
        assert spec.spec_path == Path("datasets") / spec.agency / f"{name}.yaml"
        assert (REPO_ROOT / spec.schema_path).is_file()
        assert spec.suite_path is not None and (REPO_ROOT / spec.suite_path).is_file()
        if isinstance(spec.source, FileSource):
            assert (REPO_ROOT / spec.source.path).is_file()
        assert unicodedata.is_normalized("NFC", spec.title.vi)


def test_get_by_name_or_agency_and_name() -> None:
    cat = load_catalog(REPO_ROOT)
    spec = cat.get("co-so-kham-chua-benh")
    assert spec is cat.get("so-y-te/co-so-kham-chua-benh")
    assert spec.agency == "so-y-te"
    assert spec.organization == "so-y-te"
    assert spec.frequency == "monthly"
    assert spec.schema_path == Path("schemas/so-y-te/co-so-kham-chua-benh.json")
    assert spec.suite_path == Path("validations/so-y-te/co-so-kham-chua-benh.json")
    assert spec.source.encoding == "auto"
    assert spec.source.delimiter == ","
    assert cat.get("co-so-giao-duc").source.encoding == "windows-1258"


def test_get_unknown_lists_the_known_names() -> None:
    cat = load_catalog(REPO_ROOT)
    with pytest.raises(SpecError) as info:
        cat.get("co-so-kham-chua-benhh")
    text = str(info.value)
    assert "co-so-kham-chua-benhh" in text
    assert (
        "Known datasets: chi-so-gia-xay-dung, co-so-giao-duc, co-so-kham-chua-benh, "
        "co-so-luu-tru, dien-tich-dat-theo-muc-dich" in text
    )
    assert "Did you mean 'co-so-kham-chua-benh'" in text


def test_get_with_the_wrong_agency_is_unknown() -> None:
    cat = load_catalog(REPO_ROOT)
    with pytest.raises(SpecError, match="Unknown dataset 'so-du-lich/co-so-kham-chua-benh'"):
        cat.get("so-du-lich/co-so-kham-chua-benh")


# --------------------------------------------------------------------- broken specs


def _drop(*keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        target = d
        for k in keys[:-1]:
            target = target[k]
        del target[keys[-1]]

    return edit


def _set(value: Any, *keys: str) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        target = d
        for k in keys[:-1]:
            target = target[k]
        target[keys[-1]] = value

    return edit


def _rename(old: str, new: str) -> Callable[[dict[str, Any]], None]:
    def edit(d: dict[str, Any]) -> None:
        d[new] = d.pop(old)

    return edit


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    # (case, edit, field path expected in the message, another fragment expected)
    ("missing field", _drop("maintainer"), "maintainer", "required field is missing"),
    ("missing nested field", _drop("maintainer", "email"), "maintainer.email", "required"),
    ("missing Vietnamese title", _drop("title", "vi"), "title.vi", "required"),
    ("wrong type: tags", _set(5, "tags"), "tags", "valid list"),
    ("wrong type: groups", _set("y-te", "groups"), "groups", "valid list"),
    ("wrong type: title", _set(["a"], "title"), "title", "valid dictionary"),
    ("bad e-mail", _set("phong-y-te", "maintainer", "email"), "maintainer.email", "email"),
    ("unknown frequency", _set("hourly", "frequency"), "frequency", "'monthly'"),
    ("closed licence", _set("other-closed", "license"), "license", "cc-by"),
    ("bad encoding", _set("latin-1", "source", "encoding"), "source.encoding", "windows-1258"),
    ("unknown source type", _set("ftp", "source", "type"), "source", "'file' or 'http'"),
    ("http without url", _set({"type": "http"}, "source"), "source.url", "required"),
    (
        "http url not a url",
        _set({"type": "http", "url": "ftp.quangninh.gov.vn/a.csv"}, "source"),
        "source.url",
        "pattern",
    ),
    (
        "http timeout not a number",
        _set({"type": "http", "url": "https://a.vn/x.csv", "timeout_s": "lâu"}, "source"),
        "source.timeout_s",
        "valid number",
    ),
    (
        "unknown key (typo)",
        _rename("organization", "organisation"),
        "organisation",
        "Did you mean 'organization'",
    ),
    ("unknown nested key", _set("utf-8", "source", "encodng"), "source.encodng", "unknown field"),
    (
        "unknown organisation",
        _set("so-y-tee", "organization"),
        "organization",
        "did you mean 'so-y-te'",
    ),
    (
        "unknown group",
        _set(["y-te", "suc-khoe"], "groups"),
        "groups[1]",
        "not declared in datasets/portal.yaml as a group",
    ),
    ("bad CKAN name in groups", _set(["Y tế"], "groups"), "groups[0]", "pattern"),
    ("name differs from file", _set("co-so-y-te", "name"), "name", "must equal the file name"),
    (
        "missing schema file",
        _set("schemas/so-y-te/khong-co.json", "schema"),
        "schema",
        "does not exist",
    ),
    ("loader-only key", _set("so-y-te", "agency"), "agency", "unknown field"),
    (
        "bad retention",
        _set({"keep_last": 0}, "retention"),
        "retention.keep_last",
        "greater than or equal to 1",
    ),
]


@pytest.mark.parametrize(("case", "edit", "path", "fragment"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_spec_names_file_and_field(
    root: Path, case: str, edit: Callable[[dict[str, Any]], None], path: str, fragment: str
) -> None:
    data = read(root, HEALTH)
    edit(data)
    write(root, HEALTH, data)
    cat = load_catalog(root)
    with pytest.raises(SpecError) as info:
        cat.get("co-so-kham-chua-benh")
    text = str(info.value)
    assert f"{HEALTH}: {path}: " in text, text
    assert fragment in text, text
    assert "dulieumo catalog check" in text  # the hint says what to run next
    # the other datasets are unaffected
    assert cat.get("co-so-luu-tru").name == "co-so-luu-tru"


def test_all_problems_of_a_file_are_reported_together(root: Path) -> None:
    data = read(root, HEALTH)
    del data["frequency"]
    data["maintainer"]["email"] = "not-an-email"
    data["tagz"] = ["y tế"]
    write(root, HEALTH, data)
    with pytest.raises(CatalogSpecError) as info:
        load_catalog(root).get("co-so-kham-chua-benh")
    paths = {p.path for p in info.value.problems}
    assert paths == {"frequency", "maintainer.email", "tagz"}
    assert all(p.file == HEALTH for p in info.value.problems)


def test_datasets_property_reports_every_bad_spec(root: Path) -> None:
    for rel in (HEALTH, "datasets/so-du-lich/co-so-luu-tru.yaml"):
        data = read(root, rel)
        data["organization"] = "khong-ton-tai"
        write(root, rel, data)
    with pytest.raises(SpecError) as info:
        _ = load_catalog(root).datasets
    text = str(info.value)
    assert f"{HEALTH}: organization:" in text
    assert "datasets/so-du-lich/co-so-luu-tru.yaml: organization:" in text


# ----------------------------------------------------------------------------- YAML


def test_bad_yaml_names_file_and_line(root: Path) -> None:
    path = root / HEALTH
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(3, "organization: [so-y-te")  # unclosed flow sequence
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_catalog(root).get("co-so-kham-chua-benh")
    text = str(info.value)
    assert text.startswith(f"{HEALTH}: line ")
    assert "invalid YAML" in text


def test_yaml_tab_indentation_line_number(root: Path) -> None:
    (root / HEALTH).write_text("title:\n  vi: Cơ sở\n\ten: Facilities\n", encoding="utf-8")
    with pytest.raises(SpecError, match=rf"{HEALTH}: line 3, column 1: invalid YAML"):
        load_catalog(root).get("co-so-kham-chua-benh")


def test_duplicate_yaml_key_is_refused(root: Path) -> None:
    path = root / HEALTH
    path.write_text(path.read_text(encoding="utf-8") + "frequency: yearly\n", encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_catalog(root).get("co-so-kham-chua-benh")
    assert "the key 'frequency' is written twice" in str(info.value)
    assert f"{HEALTH}: line " in str(info.value)


def test_empty_and_non_mapping_files(root: Path) -> None:
    (root / HEALTH).write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(SpecError, match=rf"{HEALTH}: the file is empty"):
        load_catalog(root).get("co-so-kham-chua-benh")
    (root / HEALTH).write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(SpecError, match=rf"{HEALTH}: expected a mapping"):
        load_catalog(root).get("co-so-kham-chua-benh")


def test_not_utf8_spec(root: Path) -> None:
    (root / HEALTH).write_bytes("title:\n  vi: Cà phê\n".encode("cp1258"))
    with pytest.raises(SpecError, match=rf"{HEALTH}: not UTF-8 text"):
        load_catalog(root).get("co-so-kham-chua-benh")


def test_decomposed_text_is_stored_as_nfc(root: Path) -> None:
    data = read(root, HEALTH)
    data["title"]["vi"] = unicodedata.normalize("NFD", "Cơ sở khám chữa bệnh")
    write(root, HEALTH, data)
    spec = load_catalog(root).get("co-so-kham-chua-benh")
    assert spec.title.vi == unicodedata.normalize("NFC", "Cơ sở khám chữa bệnh")


# ----------------------------------------------------------------------- portal file

PORTAL = "datasets/portal.yaml"


def test_portal_missing_field(root: Path) -> None:
    data = read(root, PORTAL)
    del data["site_title"]
    write(root, PORTAL, data)
    with pytest.raises(SpecError, match=rf"{PORTAL}: site_title: required field is missing"):
        load_catalog(root)


def test_portal_bad_org_code_and_unknown_key(root: Path) -> None:
    data = read(root, PORTAL)
    data["organizations"][1]["code"] = "SYT-01"
    data["organizations"][2]["titel"] = "x"
    write(root, PORTAL, data)
    with pytest.raises(SpecError) as info:
        load_catalog(root)
    text = str(info.value)
    assert f"{PORTAL}: organizations[1].code: 'SYT-01'" in text
    assert f"{PORTAL}: organizations[2].titel: unknown field" in text
    assert "Did you mean 'title'" in text


def test_portal_duplicate_organisation(root: Path) -> None:
    data = read(root, PORTAL)
    data["organizations"].append(copy.deepcopy(data["organizations"][0]))
    write(root, PORTAL, data)
    with pytest.raises(
        SpecError,
        match=rf"{PORTAL}: organizations: the name '.+' is declared "
        "twice",
    ):
        load_catalog(root)


def test_portal_province_code(root: Path) -> None:
    data = read(root, PORTAL)
    data["province"]["code"] = 22
    write(root, PORTAL, data)
    with pytest.raises(SpecError, match=rf"{PORTAL}: province.code: "):
        load_catalog(root)


def test_missing_portal_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"datasets/portal.yaml: file not found"):
        load_catalog(tmp_path)


def test_two_specs_with_one_name(root: Path) -> None:
    dup = root / "datasets" / "so-du-lich" / "co-so-kham-chua-benh.yaml"
    dup.write_text((root / HEALTH).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_catalog(root)
    assert "co-so-kham-chua-benh" in str(info.value)
    assert "datasets/so-du-lich/co-so-kham-chua-benh.yaml" in str(info.value)


# ---------------------------------------------------------------------------- models


def test_http_source_defaults() -> None:
    spec = DatasetSpec.model_validate(
        {
            "name": "quan-trac",
            "title": {"vi": "Quan trắc"},
            "description": {"vi": "Mô tả"},
            "organization": "so-tai-nguyen-moi-truong",
            "maintainer": {"name": "Phòng Môi trường", "email": "moitruong@quangninh.gov.vn"},
            "frequency": "daily",
            "schema": "schemas/x.json",
            "source": {"type": "http", "url": "https://api.quangninh.gov.vn/quan-trac.csv"},
        }
    )
    assert isinstance(spec.source, HttpSource)
    assert spec.source.timeout_s == 30
    assert spec.source.encoding == "auto"
    assert spec.license == "cc-by"
    assert spec.suite_path is None
    assert spec.title.en is None


@pytest.mark.parametrize(
    ("loc", "expected"),
    [
        (("source", "http", "url"), "source.url"),
        (("groups", 0), "groups[0]"),
        (("organizations", 2, "code"), "organizations[2].code"),
        (("retention", "Retention", "keep_last"), "retention.keep_last"),
        (("retention", "literal['all']"), "retention"),
        ((), "(top level)"),
    ],
)
def test_field_path(loc: tuple[Any, ...], expected: str) -> None:
    assert field_path(loc) == expected
