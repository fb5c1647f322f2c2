"""Schema checks on tiny files: every finding code, its row/field/value and its message."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.validate.helpers import keys, run, schema_of, write_text
from validate.findings import Report
from validate.schema import load_schema
from validate.table import check_table

F = {"name": "ma", "type": "string"}


def one(report: Report, code: str):
    found = report.by_code(code)
    assert len(found) == 1, report.to_dict()
    return found[0]


def test_clean_file_has_no_findings(tmp_path: Path) -> None:
    rep = run(tmp_path, "ma,so\nA,1\nB,2\n", schema_of(F, {"name": "so", "type": "integer"}))
    assert rep.ok and rep.findings == [] and rep.rows == 2


def test_type_error_integer_with_vietnamese_message(tmp_path: Path) -> None:
    rows = "".join(f"A{i},{i}\n" for i in range(10)) + "B,abc\n"
    rep = run(
        tmp_path, "ma,so_giuong\n" + rows, schema_of(F, {"name": "so_giuong", "type": "integer"})
    )
    f = one(rep, "type-error")
    assert (f.row, f.field, f.value, f.severity) == (12, "so_giuong", "abc", "error")
    assert f.message == "Giá trị «abc» ở cột so_giuong, dòng 12 không phải số nguyên."
    assert unicodedata.is_normalized("NFC", f.message)
    assert f.file == "data.csv"
    assert f.details == {"type": "integer", "format": "default"}


@pytest.mark.parametrize(
    ("ftype", "extra", "good", "bad"),
    [
        ("integer", {}, ["1", "-7", " 3", "1_000", "007"], ["1.5", "abc", "0x10", "1e3", "1,000"]),
        ("number", {}, ["1.5", "-2", ".5", "1e3", " 4 ", "NaN"], ["1,5", "abc", "1.2.3", "--1"]),
        ("number", {"decimalChar": ",", "groupChar": "."}, ["1,5", "1.000,25"], ["1.5,2,2", "x"]),
        (
            "boolean",
            {"trueValues": ["có"], "falseValues": ["không"]},
            ["có", "không"],
            ["true", "Có", "1", "co"],
        ),
        ("boolean", {}, ["true", "False", "1", "0"], ["yes", "t"]),
        (
            "date",
            {},
            ["2024-02-29", "2024-1-5", "2023-12-31"],
            ["2024-02-31", "2023-02-29", "2024-13-01", "31/01/2024", "24-01-05"],
        ),
        (
            "date",
            {"format": "%d/%m/%Y"},
            ["29/02/2024", "5/1/2024", "31/12/2023"],
            ["31/02/2024", "30/02/2024", "29/02/2023", "2024-01-05", "32/01/2024"],
        ),
        (
            "datetime",
            {},
            [
                "2024-01-05T10:00:00",
                "2024-01-05T10:00:00Z",
                "2024-01-05T10:00:00+07:00",
                "2024-01-05 10:00:00",
            ],
            ["2024-02-30T10:00:00", "2024-01-05T25:00:00", "2024-01-05", "hôm qua"],
        ),
        ("year", {}, ["2024", "1999", "0024"], ["24", "20245", "năm", "-202"]),
    ],
)
def test_types_accept_and_reject_like_frictionless(
    tmp_path: Path, ftype: str, extra: dict, good: list[str], bad: list[str]
) -> None:
    values = good + bad
    text = "v\n" + "".join(f'"{v}"\n' for v in values)
    rep = run(tmp_path, text, schema_of({"name": "v", "type": ftype, **extra}))
    rejected = {values[f.row - 2] for f in rep.by_code("type-error")}
    assert rejected == set(bad), rep.to_dict()
    assert set(rep.counts) <= {"type-error"}


def test_date_31_02_message_shows_the_expected_format(tmp_path: Path) -> None:
    rep = run(
        tmp_path,
        "ngay\n31/02/2024\n",
        schema_of({"name": "ngay", "type": "date", "format": "%d/%m/%Y"}),
    )
    assert one(rep, "type-error").message == (
        "Giá trị «31/02/2024» ở cột ngay, dòng 2 không phải ngày hợp lệ (dd/mm/yyyy)."
    )


def test_required_and_custom_missing_values(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "ma", "constraints": {"required": True}},
        {"name": "so", "type": "integer"},
        missingValues=["", "-", "NA"],
    )
    rep = run(tmp_path, "ma,so\nA,-\n-,1\nNA,NA\n,2\n", schema)
    assert keys(rep, "constraint-required") == {(3, "ma"), (5, "ma")}
    assert keys(rep, "blank-row") == {(4, None)}  # every cell missing: a blank row
    assert "type-error" not in rep.counts  # "-" and "NA" are missing, not bad integers
    assert rep.by_code("constraint-required")[0].message == (
        "Cột ma, dòng 3: thiếu giá trị bắt buộc."
    )


def test_constraints_each_have_their_code(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "loai", "constraints": {"enum": ["BV", "PK"]}},
        {"name": "ma", "constraints": {"pattern": "KCB-[0-9]{3}", "minLength": 7, "maxLength": 7}},
        {
            "name": "so",
            "type": "integer",
            "constraints": {"minimum": 0, "maximum": 10, "enum": [0, 1, 2, 3, 11, -1]},
        },
        {
            "name": "ty_le",
            "type": "number",
            "constraints": {"exclusiveMinimum": 0, "exclusiveMaximum": 1},
        },
        {"name": "ngay", "type": "date", "constraints": {"minimum": "2020-01-01"}},
        {"name": "ten", "constraints": {"minLength": 2, "maxLength": 5}},
        **{"$schema": "https://datapackage.org/profiles/2.0/tableschema.json"},  # exclusive*
    )
    text = (
        "loai,ma,so,ty_le,ngay,ten\n"
        "BV,KCB-001,1,0.5,2020-01-01,Hà\n"  # row 2: clean
        "bv,KCB-01,11,0,2019-12-31,H\n"  # row 3
        "XX,KCB-0012,-1,1,2021-01-01,Hạ Long\n"  # row 4
        "PK,kcb-001,5,0.99,2024-05-05,Hạ\n"
    )  # row 5
    rep = run(tmp_path, text, schema)
    assert keys(rep, "constraint-enum") == {(3, "loai"), (4, "loai"), (5, "so")}
    assert keys(rep, "constraint-pattern") == {(3, "ma"), (4, "ma"), (5, "ma")}
    assert keys(rep, "constraint-min-length") == {(3, "ma"), (3, "ten")}
    assert keys(rep, "constraint-max-length") == {(4, "ma"), (4, "ten")}
    assert keys(rep, "constraint-maximum") == {(3, "so")}
    assert keys(rep, "constraint-minimum") == {(4, "so"), (3, "ngay")}
    assert keys(rep, "constraint-exclusive-minimum") == {(3, "ty_le")}
    assert keys(rep, "constraint-exclusive-maximum") == {(4, "ty_le")}
    enum = rep.by_code("constraint-enum")[0]
    assert enum.message == (
        "Giá trị «bv» ở cột loai, dòng 3 không thuộc danh sách cho phép (BV, PK)."
    )
    assert "type-error" not in rep.counts


def test_a_type_error_is_not_also_a_constraint_error(tmp_path: Path) -> None:
    schema = schema_of({"name": "so", "type": "integer", "constraints": {"minimum": 5}})
    rep = run(tmp_path, "so\nx\n1\n", schema)
    assert keys(rep, "type-error") == {(2, "so")}
    assert keys(rep, "constraint-minimum") == {(3, "so")}


def test_unique_ignores_nulls_and_compares_typed_values(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "so", "type": "integer", "constraints": {"unique": True}},
        {"name": "ten", "constraints": {"unique": True}},
    )
    rep = run(tmp_path, "so,ten\n1,a\n01,b\n,c\n,d\n2,a\n", schema)
    assert keys(rep, "unique-error") == {(3, "so"), (6, "ten")}
    assert rep.by_code("unique-error")[0].message.startswith("Giá trị «01» ở cột so, dòng 3")


def test_composite_primary_key(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "ma_tram"},
        {"name": "ngay", "type": "date"},
        {"name": "gia_tri", "type": "number"},
        primaryKey=["ma_tram", "ngay"],
    )
    text = (
        "ma_tram,ngay,gia_tri\n"
        "T1,2024-01-01,1\n"  # 2
        "T1,2024-01-02,1\n"  # 3 different date
        "T2,2024-01-01,1\n"  # 4 different station
        "T1,2024-01-01,2\n"  # 5 duplicate of 2
        "T1,2024-1-1,3\n"  # 6 same date written differently: duplicate of 2
        ",,4\n"  # 7 all-null key
        "T3,,5\n"  # 8 partial key: fine
        "T3,,6\n"
    )  # 9 same partial key: duplicate (nulls compare equal)
    rep = run(tmp_path, text, schema)
    assert keys(rep, "primary-key") == {
        (5, "ma_tram, ngay"),
        (6, "ma_tram, ngay"),
        (7, "ma_tram, ngay"),
        (9, "ma_tram, ngay"),
    }
    first = rep.by_code("primary-key")[0]
    assert first.value == "T1, 2024-01-01" and first.details["reason"] == "duplicate"
    assert "bị trùng" in first.message
    assert [f.details["reason"] for f in rep.by_code("primary-key")][2] == "null"


def test_foreign_key_to_a_code_list(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "ma"},
        {"name": "ma_xa"},
        foreignKeys=[{"fields": "ma_xa", "reference": {"resource": "dvhc", "fields": "ma_xa"}}],
    )
    rep = run(
        tmp_path,
        "ma,ma_xa\nA,06700\nB,99999\nC,\nD,6700\n",
        schema,
        codelists={"dvhc": "ma_xa,ten_xa\n06700,Phường Hồng Gai\n06701,Phường Bạch Đằng\n"},
    )
    assert keys(rep, "foreign-key") == {(3, "ma_xa"), (5, "ma_xa")}
    f = rep.by_code("foreign-key")[0]
    assert f.value == "99999" and f.details["resource"] == "dvhc"
    assert f.message == "Dòng 3: mã «99999» ở cột ma_xa không có trong danh mục dvhc."


def test_composite_foreign_key(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "h"},
        {"name": "x"},
        foreignKeys=[
            {"fields": ["h", "x"], "reference": {"resource": "dm", "fields": ["mh", "mx"]}}
        ],
    )
    rep = run(
        tmp_path, "h,x\n193,06700\n194,06700\n,\n", schema, codelists={"dm": "mh,mx\n193,06700\n"}
    )
    assert keys(rep, "foreign-key") == {(3, "h, x")}


def test_missing_code_list_is_a_spec_error(tmp_path: Path) -> None:
    from dulieumo.errors import SpecError

    schema = schema_of(
        {"name": "a"},
        foreignKeys=[{"fields": "a", "reference": {"resource": "khong_co", "fields": "a"}}],
    )
    with pytest.raises(SpecError, match=r"codelists/khong_co\.csv"):
        run(tmp_path, "a\n1\n", schema)


def test_header_problems(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma"}, {"name": "ten"}, {"name": "so", "type": "integer"})
    rep = run(tmp_path, "ma,,so,ghi_chu,ma\nA,x,1,y,B\n", schema)
    assert keys(rep, "blank-label") == {(1, None)}
    assert one(rep, "blank-label").details["position"] == 2
    assert keys(rep, "missing-label") == {(1, "ten")}
    assert keys(rep, "extra-label") == {(1, "ghi_chu")}
    assert keys(rep, "duplicate-label") == {(1, "ma")}
    assert "Thiếu cột «ten»" in one(rep, "missing-label").message
    assert rep.rows == 1 and not rep.ok


def test_columns_are_matched_by_name_not_position(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma"}, {"name": "so", "type": "integer"})
    rep = run(tmp_path, "so,ma\n1,A\nx,B\n", schema)
    assert keys(rep) == {(3, "so")}


def test_blank_rows_extra_and_missing_cells(tmp_path: Path) -> None:
    schema = schema_of(
        {"name": "ma", "constraints": {"required": True}},
        {"name": "so", "type": "integer"},
        {"name": "ten"},
    )
    text = "ma,so,ten\nA,1,x\n,,\n\nB,2,y,thừa\nC,3\nD,4,z\n"
    rep = run(tmp_path, text, schema)
    assert keys(rep, "blank-row") == {(3, None), (4, None)}
    assert keys(rep, "extra-cell") == {(5, None)}
    assert one(rep, "extra-cell").value == "thừa"
    assert keys(rep, "missing-cell") == {(6, "ten")}
    assert "constraint-required" not in rep.counts  # blank rows report nothing else
    assert rep.rows == 6


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma"})
    rep = run(tmp_path, "", schema)
    assert list(rep.counts) == ["blank-table"] and not rep.ok
    rep = run(tmp_path, "ma\n", schema)
    assert list(rep.counts) == ["blank-table"] and rep.rows == 0


def test_binary_file_given_as_csv(tmp_path: Path) -> None:
    (tmp_path / "data.csv").write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    schema = load_schema(write_text(tmp_path / "s.json", '{"fields": [{"name": "ma"}]}'))
    rep = Report("ds", "data.csv")
    checked = check_table(tmp_path / "data.csv", schema, rep, file="data.csv")
    f = one(rep, "binary-file")
    assert f.details["byte_offset"] == 5 and "không phải CSV" in f.message
    assert not checked.structure_ok and not rep.ok


def test_invalid_utf8_is_located(tmp_path: Path) -> None:
    data = "ma,ten\nA,Hạ Long\n".encode() + b"B,C\xe2m Ph\xe0\n"  # cp1258 bytes
    (tmp_path / "data.csv").write_bytes(data)
    schema = load_schema(
        write_text(tmp_path / "s.json", '{"fields": [{"name": "ma"}, {"name": "ten"}]}')
    )
    rep = Report("ds", "data.csv")
    check_table(tmp_path / "data.csv", schema, rep, file="data.csv")
    f = one(rep, "encoding-error")
    assert f.details["line"] == 3
    assert "UTF-8" in f.message and str(f.details["byte_offset"]) in f.message


def test_pattern_must_match_whole_value(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma", "constraints": {"pattern": "[0-9]{2}|[0-9]{3}"}})
    rep = run(tmp_path, "ma\n12\n123\n12abc\n1234\n", schema)
    assert keys(rep, "constraint-pattern") == {(4, "ma"), (5, "ma")}


def test_look_around_patterns_fall_back_to_python(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma", "constraints": {"pattern": "(?!00)[0-9]{2}"}})
    rep = run(tmp_path, "ma\n12\n00\n", schema)
    assert keys(rep, "constraint-pattern") == {(3, "ma")}


def test_quoted_newlines_count_as_one_row(tmp_path: Path) -> None:
    schema = schema_of({"name": "ten"}, {"name": "so", "type": "integer"})
    rep = run(tmp_path, 'ten,so\n"dòng\nhai",1\nx,y\n', schema)
    assert keys(rep, "type-error") == {(3, "so")}


def test_a_utf8_bom_is_not_part_of_the_first_label(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma"}, {"name": "so", "type": "integer"})
    (tmp_path / "bom.csv").write_bytes("\ufeffma,so\nA,1\nB,x\n".encode())
    loaded = load_schema(
        write_text(
            tmp_path / "s.json", '{"fields": [{"name": "ma"}, {"name": "so", "type": "integer"}]}'
        )
    )
    assert schema["fields"][0]["name"] == loaded.names[0]
    rep = Report("ds", "bom.csv")
    check_table(tmp_path / "bom.csv", loaded, rep, file="bom.csv")
    assert {(f.row, f.field, f.code) for f in rep.findings} == {(3, "so", "type-error")}
