"""Agency conventions applied in pull: header renaming, dd/mm/yyyy, 1.234.567,5, x/có/không,
null markers; a value they cannot parse is left for validation to report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog.sources import Conventions
from dulieumo.errors import SourceError
from pull import pull_source
from pull.output import Field, cell_converter
from tests.pull.helpers import make_spec, read_csv
from validate import validate_table

CONV: dict[str, Any] = {
    "columns": {
        "Mã cơ sở": "ma_co_so",
        "Tên cơ sở": "ten",
        "Số giường": "so_giuong",
        "Kinh phí (triệu đồng)": "kinh_phi",
        "Ngày cấp phép": "ngay_cap_phep",
        "Công lập": "cong_lap",
        "STT": None,
    },
    "date_format": "%d/%m/%Y",
    "decimal_char": ",",
    "group_char": ".",
    "true_values": ["x", "có"],
    "false_values": ["không"],
    "null_markers": ["", "-", "N/A"],
}
AGENCY = (
    "STT;Mã cơ sở;Tên cơ sở;Số  giường;Kinh phí (triệu đồng);Ngày cấp phép;Công lập\n"
    "1;KCB-1;Bệnh viện Bãi Cháy;1.250;1.234.567,5;05/03/2021;x\n"
    "2;KCB-2;Trạm Y tế xã Quảng Nghĩa;-;12,75;31/12/2019;Không\n"
    "3;KCB-3;Phòng khám Hạ Long;N/A;;1/2/2020;có\n"
)


def _pull(
    root: Path, text: str, conventions: dict[str, Any] | None = CONV, delimiter: str = ";"
) -> Path:
    (root / "x.csv").write_text(text, encoding="utf-8")
    spec = make_spec(
        root, {"type": "file", "path": "x.csv", "delimiter": delimiter}, conventions=conventions
    )
    return pull_source(spec, root=root, workdir=root / "run").path


def test_conventions_turn_agency_values_into_schema_values(tmp_path: Path) -> None:
    rows = read_csv(_pull(tmp_path, AGENCY))
    assert rows == [
        ["ma_co_so", "ten", "so_giuong", "kinh_phi", "ngay_cap_phep", "cong_lap"],
        ["KCB-1", "Bệnh viện Bãi Cháy", "1250", "1234567.5", "2021-03-05", "true"],
        ["KCB-2", "Trạm Y tế xã Quảng Nghĩa", "", "12.75", "2019-12-31", "false"],
        ["KCB-3", "Phòng khám Hạ Long", "", "", "2020-02-01", "true"],
    ]
    report = validate_table(
        tmp_path / "run" / "co-so-y-te.csv",
        make_spec(tmp_path, {"type": "file", "path": "x.csv"}),
        root=tmp_path,
    )
    assert report.ok, [f.message for f in report.findings]


def test_unparseable_values_are_left_for_validation(tmp_path: Path) -> None:
    text = AGENCY.splitlines()[0] + "\n1;KCB-1;Bệnh viện;1.5;1,2,3;31/02/2021;chắc là có\n"
    rows = read_csv(_pull(tmp_path, text))
    # "1.5" is no grouped integer (groups are 3 digits), 31/02 is no date: kept as written
    assert rows[1] == ["KCB-1", "Bệnh viện", "1.5", "1,2,3", "31/02/2021", "chắc là có"]
    report = validate_table(
        tmp_path / "run" / "co-so-y-te.csv",
        make_spec(tmp_path, {"type": "file", "path": "x.csv"}),
        root=tmp_path,
    )
    bad = {(f.row, f.field) for f in report.findings if f.severity == "error"}
    assert {(2, "so_giuong"), (2, "kinh_phi"), (2, "ngay_cap_phep"), (2, "cong_lap")} <= bad


def test_unknown_header_lists_the_expected_fields(tmp_path: Path) -> None:
    text = AGENCY.replace("Tên cơ sở", "Tên đơn vị", 1)
    with pytest.raises(SourceError) as info:
        _pull(tmp_path, text)
    msg = str(info.value)
    assert "Dataset 'co-so-y-te', source x.csv, header row" in msg
    assert "'Tên đơn vị'" in msg and "conventions.columns" in msg
    assert "Expected fields: ma_co_so (Mã cơ sở), ten (Tên cơ sở), so_giuong" in msg
    assert not (tmp_path / "run" / "co-so-y-te.csv").exists()


def test_missing_column_is_named(tmp_path: Path) -> None:
    lines = [";".join(line.split(";")[:-1]) for line in AGENCY.splitlines()]
    with pytest.raises(SourceError) as info:
        _pull(tmp_path, "\n".join(lines) + "\n")
    assert "no column gives the field cong_lap" in str(info.value)


def test_without_conventions_the_file_passes_through(tmp_path: Path) -> None:
    text = 'ma_co_so,ten\nKCB-1,"Bệnh viện, Hạ Long"\n'
    out = _pull(tmp_path, text, conventions=None, delimiter=",")
    assert out.read_text(encoding="utf-8") == text


def test_semicolon_file_is_written_with_commas(tmp_path: Path) -> None:
    out = _pull(tmp_path, "ma_co_so;ten\nKCB-1;Bệnh viện, Hạ Long\n", conventions=None)
    assert read_csv(out) == [["ma_co_so", "ten"], ["KCB-1", "Bệnh viện, Hạ Long"]]


@pytest.mark.parametrize(
    ("ftype", "descriptor", "value", "expected"),
    [
        ("number", {}, "-1.234,5", "-1234.5"),
        ("number", {}, "1234,5", "1234.5"),
        ("number", {}, "12.34", "12.34"),  # not 3-digit groups: left as is
        ("integer", {}, "1.234.567", "1234567"),
        ("integer", {}, "1,5", "1,5"),  # no integer: left as is
        ("number", {"decimalChar": ","}, "1,5", "1,5"),  # the schema parses it itself
        ("boolean", {"trueValues": ["Có"], "falseValues": ["Không"]}, "x", "Có"),
        ("boolean", {}, "", ""),  # not a declared value, a null marker: null
        ("date", {"format": "%d/%m/%Y"}, "05/03/2021", "05/03/2021"),
        ("date", {}, "2021-03-05T00:00:00", "2021-03-05"),
        ("string", {}, "N/A", ""),
        ("string", {}, " -- ", " -- "),
        ("integer", {}, 3.0, "3"),
        ("number", {}, 1234567.5, "1234567.5"),
        ("boolean", {}, True, "true"),
    ],
)
def test_cell_rules(ftype: str, descriptor: dict[str, Any], value: Any, expected: str) -> None:
    convert = cell_converter(Field("f", ftype, "", descriptor), Conventions(**CONV))
    assert convert(value) == expected


def test_blank_may_mean_false(tmp_path: Path) -> None:
    conv = Conventions(**{**CONV, "false_values": ["không", ""]})
    convert = cell_converter(Field("cong_lap", "boolean"), conv)
    assert (convert(""), convert("x"), convert("N/A")) == ("false", "true", "")
