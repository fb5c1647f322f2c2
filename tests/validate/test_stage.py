"""The stage as the flow calls it: validate_table(table, spec, root=...) and typed_frame."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.validate.helpers import dataset_spec, schema_of, write_json, write_text
from validate import Report, typed_frame, validate_table
from validate.schema import load_schema

SCHEMA = schema_of(
    {"name": "ma_co_so", "constraints": {"required": True, "pattern": "KCB-[0-9]{3}"}},
    {"name": "ma_xa"},
    {"name": "so_giuong", "type": "integer", "constraints": {"minimum": 0}},
    {"name": "vi_do", "type": "number"},
    {"name": "hoat_dong", "type": "boolean", "trueValues": ["có"], "falseValues": ["không"]},
    {"name": "ngay", "type": "date", "format": "%d/%m/%Y"},
    primaryKey=["ma_co_so"],
    foreignKeys=[
        {"fields": "ma_xa", "reference": {"resource": "don_vi_hanh_chinh", "fields": "ma_xa"}}
    ],
)
SUITE = {
    "name": "co-so",
    "expectations": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "so_giuong", "max_value": 100},
            "meta": {"severity": "warning", "message_vi": "Số giường lớn bất thường"},
        }
    ],
}


def catalogue(root: Path, csv_text: str) -> Path:
    write_json(root / "schemas" / "so-y-te" / "co-so.json", SCHEMA)
    write_json(root / "validations" / "so-y-te" / "co-so.json", SUITE)
    write_text(root / "codelists" / "don_vi_hanh_chinh.csv", "ma_xa,ten_xa\n06700,Hồng Gai\n")
    write_json(
        root / "schemas" / "codelists" / "don_vi_hanh_chinh.json",
        schema_of({"name": "ma_xa"}, {"name": "ten_xa"}),
    )
    return write_text(root / "samples" / "co-so.csv", csv_text)


def test_validate_table_runs_schema_and_suite(tmp_path: Path) -> None:
    table = catalogue(
        tmp_path,
        "ma_co_so,ma_xa,so_giuong,vi_do,hoat_dong,ngay\n"
        "KCB-001,06700,20,21.0,có,01/02/2024\n"
        "KCB-002,06700,500,21.1,không,31/02/2024\n"
        "KCB-001,99999,-1,x,yes,02/02/2024\n",
    )
    spec = dataset_spec(
        tmp_path,
        "schemas/so-y-te/co-so.json",
        "validations/so-y-te/co-so.json",
        "samples/co-so.csv",
    )
    rep = validate_table(table, spec, root=tmp_path)
    assert isinstance(rep, Report)
    assert rep.dataset == "co-so-thu-nghiem" and rep.file == "samples/co-so.csv"
    assert rep.rows == 3
    assert dict(rep.counts) == {
        "type-error": 3,
        "constraint-minimum": 1,
        "primary-key": 1,
        "foreign-key": 1,
        "expectation-failed": 1,
    }
    assert rep.warning_count == 1 and rep.error_count == 6 and not rep.ok
    assert {f.row for f in rep.by_code("type-error")} == {3, 4}
    out = rep.write_json(tmp_path / "report.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["counts"]["expectation-failed"] == 1
    assert data["stats"]["schema_seconds"] >= 0


def test_clean_table_is_ok(tmp_path: Path) -> None:
    table = catalogue(
        tmp_path,
        "ma_co_so,ma_xa,so_giuong,vi_do,hoat_dong,ngay\nKCB-001,06700,20,21.0,có,01/02/2024\n",
    )
    spec = dataset_spec(tmp_path, "schemas/so-y-te/co-so.json", None, "samples/co-so.csv")
    rep = validate_table(table, spec, root=tmp_path)
    assert rep.ok and rep.findings == [] and rep.to_dict()["ok"] is True


def test_typed_frame_has_the_schema_types(tmp_path: Path) -> None:
    table = catalogue(
        tmp_path,
        "ma_co_so,ma_xa,so_giuong,vi_do,hoat_dong,ngay\n"
        "KCB-001,06700,20,21.5,có,29/02/2024\n"
        "KCB-002,,x,,không,31/02/2024\n",
    )
    schema = load_schema(tmp_path / "schemas" / "so-y-te" / "co-so.json")
    df = typed_frame(table, schema)
    assert list(df.columns) == ["ma_co_so", "ma_xa", "so_giuong", "vi_do", "hoat_dong", "ngay"]
    assert str(df["so_giuong"].dtype) == "Int64" and df["so_giuong"].tolist()[0] == 20
    assert pd.isna(df["so_giuong"][1])  # "x" is not an integer: null
    assert str(df["vi_do"].dtype) == "Float64" and df["vi_do"][0] == 21.5
    assert df["hoat_dong"].tolist() == [True, False]
    assert pd.api.types.is_datetime64_any_dtype(df["ngay"])
    assert df["ngay"][0] == pd.Timestamp("2024-02-29") and pd.isna(df["ngay"][1])
    assert pd.isna(df["ma_xa"][1])
    plain = typed_frame(table, schema, nullable=False)
    assert str(plain["so_giuong"].dtype) == "float64"
