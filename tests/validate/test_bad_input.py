"""Bad input through `dulieumo validate`: exit 2 and a message naming the file (and the field,
expectation or line); nothing to do with the portal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.catalog import copy_catalog
from tests.support.cli import run

DATASET = "co-so-luu-tru"
SCHEMA = Path("schemas/so-du-lich/co-so-luu-tru.json")
SUITE = Path("validations/so-du-lich/co-so-luu-tru.json")
SOURCE = Path("samples/so-du-lich/co-so-luu-tru.csv")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def _edit_json(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _could_not_run(root: Path, *needles: str) -> str:
    proc = run("validate", DATASET, root=root, env={"DULIEUMO_WORK_DIR": str(root / "work")})
    text = proc.stdout + proc.stderr
    assert proc.returncode == 2, (proc.returncode, text[-3000:])
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, (needle, text[-3000:])
    return text


def test_invalid_schema_json(root: Path) -> None:
    path = root / SCHEMA
    path.write_text(
        path.read_text(encoding="utf-8").replace('"fields": [', '"fields": [,', 1), encoding="utf-8"
    )
    _could_not_run(root, str(SCHEMA), "invalid JSON", "line")


def test_schema_with_a_bad_property(root: Path) -> None:
    _edit_json(root / SCHEMA, lambda d: d["fields"][3].__setitem__("type", "int"))
    _could_not_run(root, str(SCHEMA), "fields[3].type", "'int' is not supported")


@pytest.mark.slow
def test_suite_naming_an_unknown_column(root: Path) -> None:
    _edit_json(
        root / SUITE,
        lambda d: d["expectations"].insert(
            0, {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "so_phongg"}}
        ),
    )
    _could_not_run(root, str(SUITE), "expectations[0].kwargs.column", "so_phongg")


@pytest.mark.slow
def test_suite_contradicting_the_schema(root: Path) -> None:
    _edit_json(root / SCHEMA, lambda d: d["fields"][4]["constraints"].__setitem__("minimum", 200))
    _edit_json(
        root / SUITE,
        lambda d: d["expectations"].insert(
            0,
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "so_phong", "min_value": 0, "max_value": 100},
            },
        ),
    )
    _could_not_run(root, str(SUITE), "expectations[0]", "'so_phong' has minimum 200")


@pytest.mark.slow
def test_suite_expecting_a_type_the_schema_does_not_have(root: Path) -> None:
    _edit_json(
        root / SUITE,
        lambda d: d["expectations"].insert(
            0,
            {
                "type": "expect_column_values_to_be_of_type",
                "kwargs": {"column": "ten", "type_": "int64"},
            },
        ),
    )
    _could_not_run(root, str(SUITE), "expectations[0]", "'ten' is a string field")


@pytest.mark.slow
def test_single_enormous_line(root: Path) -> None:
    header = (root / SOURCE).read_text(encoding="utf-8").splitlines()[0]
    with (root / SOURCE).open("w", encoding="utf-8") as fh:
        fh.write(header + "\n")
        chunk = "x" * (1 << 20)
        for _ in range(50):  # 50 MB without a newline
            fh.write(chunk)
    _could_not_run(root, str(SOURCE))


def test_binary_file_given_as_csv(root: Path) -> None:
    (root / SOURCE).write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 64)
    _could_not_run(root, str(SOURCE), "NUL")
