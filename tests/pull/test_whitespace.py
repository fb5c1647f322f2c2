"""Issue 16, problem 3: trailing spaces and NBSP (U+00A0) in codes. By default they are
trimmed (inner NBSP → space) in every string field before validation, so "CS00002 " is the
same facility as "CS00002" and the primary key catches it; the report counts the cells
changed; `conventions.trim_whitespace: false` keeps them, and then messages show them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pull import pull_source
from tests.pull.helpers import make_spec, read_csv
from tests.support.agency_files import HEADERS, nbsp_codes_csv
from validate import validate_table
from validate.messages import visible

FIELDS = [{"name": "ma"}, {"name": "ten"}]
COLUMNS = dict.fromkeys(HEADERS[2:]) | {"Mã cơ sở": "ma", "Tên cơ sở": "ten"}


def _run(root: Path, fields: list[dict[str, Any]] = FIELDS, **conv: Any) -> tuple[Any, Any]:
    nbsp_codes_csv(root / "co-so.csv")
    spec = make_spec(
        root,
        {"type": "file", "path": "co-so.csv", "delimiter": ";"},
        conventions={"columns": COLUMNS, **conv},
        fields=fields,
        primary_key="ma",
    )
    table = pull_source(spec, root=root, workdir=root / "run")
    return table, validate_table(table.path, spec, root=root)


def test_invisible_spaces_are_trimmed_and_the_duplicate_code_is_caught(tmp_path: Path) -> None:
    table, report = _run(tmp_path)
    rows = read_csv(table.path)
    codes = [r[0] for r in rows[1:]]
    assert "CS00005" in codes and not any(c != c.strip() or "\u00a0" in c for c in codes)
    assert all("\u00a0" not in r[1] for r in rows[1:])  # inner NBSP → space
    (dup,) = report.by_code("primary-key")
    assert dup.value == "CS00002" and dup.row == 12  # the row a spreadsheet shows
    assert report.stats["whitespace_trimmed"] == {"ma": 2, "ten": 1}
    assert report.stats["whitespace_trimmed_cells"] == 3


def test_turned_off_the_spaces_stay_and_messages_show_them(tmp_path: Path) -> None:
    fields = [{"name": "ma", "constraints": {"pattern": "CS[0-9]{5}"}}, {"name": "ten"}]
    table, report = _run(tmp_path, fields, trim_whitespace=False)
    codes = [r[0] for r in read_csv(table.path)[1:]]
    assert "CS00002 " in codes and "CS00005\u00a0" in codes
    assert "primary-key" not in report.counts  # two different codes, as written
    shown = {f.row: f.message for f in report.by_code("constraint-pattern")}
    assert "«CS00002␣»" in shown[12]
    assert "«CS00005\\u00a0»" in shown[6]
    assert "whitespace_trimmed" not in report.stats


def test_visible() -> None:
    assert visible("CS00002 ") == "CS00002␣"
    assert visible(" a\u00a0b ") == "␣a\\u00a0b␣"
    assert visible("  ") == "␣␣"
    assert visible("Hạ Long") == "Hạ Long"
