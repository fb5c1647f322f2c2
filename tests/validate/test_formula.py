"""Formula injection: escaped in the published CSV, or rejected; numbers untouched."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from dulieumo.catalog.quality import QualitySpec
from pull import PulledTable
from tests.validate.helpers import schema_of, write_json, write_text
from validate.formula import escape_file, protect
from validate.schema import load_schema
from validate.stage import validate_with

SCHEMA = schema_of({"name": "ten"}, {"name": "nhiet_do", "type": "number"}, {"name": "ghi_chu"})
CSV = (
    "ten,nhiet_do,ghi_chu\n"
    '"=HYPERLINK(""http://x.y"",""bấm"")",-5,bình thường\n'
    "@SUM(A1:A9),-3.5,-5\n"
    "Trạm 3,12,\"+cmd|' /C calc'!A0\"\n"
    '"\tẩn",+4,-2+3+cmd|x\n'
    "Trạm 5,0,+84\n"
)


def run(tmp_path: Path, mode: str = "escape"):
    table = write_text(tmp_path / "data.csv", CSV)
    schema = load_schema(write_json(tmp_path / "schema.json", SCHEMA))
    rep = validate_with(
        table,
        schema,
        None,
        dataset="t",
        file="data.csv",
        quality=QualitySpec(formula_injection=mode),
    )  # type: ignore[arg-type]
    return table, rep


def test_escape_mode_warns_and_publishes_escaped_cells(tmp_path: Path) -> None:
    table, rep = run(tmp_path)
    assert rep.ok  # a warning: publication goes on, escaped
    assert rep.counts["formula-escaped"] == 5 and rep.warning_count == 5
    assert {(f.row, f.field) for f in rep.by_code("formula-escaped")} == {
        (2, "ten"),
        (3, "ten"),
        (4, "ghi_chu"),
        (5, "ten"),
        (5, "ghi_chu"),
    }
    pulled = PulledTable(table, "r", "s", table.stat().st_size, "data.csv", "now", "utf-8")
    out = protect(pulled, rep, tmp_path)
    assert out.path != table and out.sha256 == hashlib.sha256(out.path.read_bytes()).hexdigest()
    rows = list(csv.reader(out.path.open(encoding="utf-8", newline="")))
    assert rows[1][0] == '\'=HYPERLINK("http://x.y","bấm")'
    assert rows[2] == ["'@SUM(A1:A9)", "-3.5", "-5"]  # numbers and signed-number text kept
    assert rows[3][2] == "'+cmd|' /C calc'!A0"
    assert rows[4] == ["'\tẩn", "+4", "'-2+3+cmd|x"]
    assert rows[5] == ["Trạm 5", "0", "+84"]
    assert rows[0] == ["ten", "nhiet_do", "ghi_chu"]


def test_reject_mode_is_an_error(tmp_path: Path) -> None:
    _, rep = run(tmp_path, "reject")
    assert not rep.ok and rep.error_counts["formula-injection"] == 5
    assert "formula-escaped" not in rep.counts


def test_clean_file_is_published_as_is(tmp_path: Path) -> None:
    table = write_text(tmp_path / "data.csv", "ten,nhiet_do,ghi_chu\nA,-5,-7\n")
    schema = load_schema(write_json(tmp_path / "schema.json", SCHEMA))
    rep = validate_with(table, schema, None, dataset="t", file="data.csv")
    assert rep.ok and not rep.counts
    pulled = PulledTable(table, "r", "s", 1, "data.csv", "now", "utf-8")
    assert protect(pulled, rep, tmp_path) is pulled
    assert escape_file(table, tmp_path / "copy.csv", ["ten", "ghi_chu"]) == 0
