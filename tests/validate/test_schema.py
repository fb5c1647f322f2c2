from __future__ import annotations

from pathlib import Path

import pytest

from dulieumo.errors import SpecError
from tests.validate.helpers import schema_of, write_json, write_text
from validate.schema import load_schema

GOOD = schema_of(
    {"name": "ma", "type": "string", "constraints": {"required": True, "pattern": "[A-Z]{2}"}},
    {"name": "so", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "ngay", "type": "date", "format": "%d/%m/%Y"},
    {"name": "co", "type": "boolean", "trueValues": ["có"], "falseValues": ["không"]},
    primaryKey=["ma", "ngay"],
    foreignKeys=[{"fields": "ma", "reference": {"resource": "dm", "fields": "ma"}}],
    missingValues=["", "-"],
)


def test_loads_a_good_schema(tmp_path: Path) -> None:
    s = load_schema(write_json(tmp_path / "schemas" / "a.json", GOOD), root=tmp_path)
    assert s.names == ["ma", "so", "ngay", "co"]
    assert s.primary_key == ("ma", "ngay")
    assert s.foreign_keys[0].resource == "dm" and s.foreign_keys[0].fields == ("ma",)
    assert s.missing_values == ("", "-")
    assert s.field("co").true_values == ("có",)
    assert s.field("ma").required and not s.field("so").required


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"fields": [{"name": "a", "type": "integr"}]}, "fields[0].type"),
        ({"fields": [{"name": "a"}, {"name": "a"}]}, "fields[1].name"),
        (
            {"fields": [{"name": "a", "type": "integer", "constraints": {"minimum": "x"}}]},
            "fields[0].constraints.minimum",
        ),
        (
            {"fields": [{"name": "a", "constraints": {"pattern": "[0-9"}}]},
            "fields[0].constraints.pattern",
        ),
        (
            {"fields": [{"name": "a", "constraints": {"required": "yes"}}]},
            "fields[0].constraints.required",
        ),
        (
            {
                "fields": [
                    {
                        "name": "a",
                        "type": "date",
                        "format": "%d/%m/%Y",
                        "constraints": {"minimum": "2020-13-45"},
                    }
                ]
            },
            "fields[0].constraints.minimum",
        ),
        ({"primaryKey": ["khong_co"]}, "primaryKey"),
        (
            {"foreignKeys": [{"fields": "zz", "reference": {"resource": "dm", "fields": "ma"}}]},
            "foreignKeys[0].fields",
        ),
        ({"fields": []}, "fields"),
    ],
)
def test_invalid_schema_names_file_and_property(tmp_path: Path, change: dict, where: str) -> None:
    path = write_json(tmp_path / "schemas" / "so-y-te" / "x.json", {**GOOD, **change})
    with pytest.raises(SpecError) as err:
        load_schema(path, root=tmp_path)
    assert f"schemas/so-y-te/x.json: {where}" in str(err.value)


def test_frictionless_metadata_errors_are_reported(tmp_path: Path) -> None:
    bad = schema_of({"name": "a", "type": "string", "title": 5})
    with pytest.raises(SpecError) as err:
        load_schema(write_json(tmp_path / "s.json", bad), root=tmp_path)
    assert "s.json: fields[0]" in str(err.value)


def test_invalid_json_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"s\.json: line 1, column"):
        load_schema(write_text(tmp_path / "s.json", "{fields: ]"), root=tmp_path)
    with pytest.raises(SpecError, match="not found"):
        load_schema(tmp_path / "nope.json", root=tmp_path)


def test_frictionless_verdicts_valid_remembered_problems_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from validate import schema as schema_module

    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(tmp_path / "work"))
    good = write_json(tmp_path / "good.json", GOOD)
    bad = write_json(tmp_path / "bad.json", schema_of({"name": "a", "type": "string", "title": 5}))
    load_schema(good, root=tmp_path)
    with pytest.raises(SpecError):
        load_schema(bad, root=tmp_path)
    remembered = list((tmp_path / "work" / "cache" / "schema-checks").iterdir())
    assert len(remembered) == 1  # the valid one only

    calls: list[object] = []
    real = schema_module._frictionless_check

    def counted(descriptor: dict) -> list[tuple[str, str]]:
        calls.append(descriptor)
        return real(descriptor)

    monkeypatch.setattr(schema_module, "_frictionless_check", counted)
    assert load_schema(good, root=tmp_path).names == ["ma", "so", "ngay", "co"]
    assert calls == []  # remembered: frictionless not asked again
    with pytest.raises(SpecError) as err:
        load_schema(bad, root=tmp_path)
    assert "bad.json: fields[0]" in str(err.value) and len(calls) == 1  # asked again
    edited = write_json(tmp_path / "good.json", {**GOOD, "missingValues": [""]})
    load_schema(edited, root=tmp_path)
    assert len(calls) == 2  # another descriptor, another verdict
