"""Issue 16, problem 6: this month the agency added a title line, so the two-row header
moved from rows 4–5 to 5–6. The message says where the header is now and where it was,
instead of asking to map the column "Quy mô"."""

from __future__ import annotations

from pathlib import Path

import pytest

from dulieumo.errors import SourceError
from pull import pull_source
from tests.pull.helpers import make_spec, read_csv
from tests.support.agency_files import moved_header_xlsx

FIELDS = [{"name": "ma"}, {"name": "ten"}, {"name": "so_giuong", "type": "integer"}]
CONV = {
    "columns": {
        "Mã cơ sở": "ma",
        "Tên cơ sở": "ten",
        "Quy mô / Số giường": "so_giuong",
        "Quy mô / Số bác sĩ": None,
    }
}
EXCEL = {"header_rows": [4, 5]}


def _spec(root: Path):
    return make_spec(
        root,
        {"type": "file", "path": "bieu.xlsx", "excel": EXCEL},
        conventions=CONV,
        fields=FIELDS,
        primary_key="ma",
    )


def test_last_months_layout_is_read(tmp_path: Path) -> None:
    moved_header_xlsx(tmp_path / "bieu.xlsx", shift=0)
    table = pull_source(_spec(tmp_path), root=tmp_path, workdir=tmp_path / "run")
    rows = read_csv(table.path)
    assert rows[0] == ["ma", "ten", "so_giuong"] and rows[1][0] == "CS00001" and len(rows) == 11


def test_a_header_moved_down_a_row_is_named(tmp_path: Path) -> None:
    moved_header_xlsx(tmp_path / "bieu.xlsx", shift=1)
    with pytest.raises(SourceError) as info:
        pull_source(_spec(tmp_path), root=tmp_path, workdir=tmp_path / "run")
    msg = str(info.value)
    assert "có vẻ nay nằm ở dòng 5–6" in msg and "lần trước" in msg and "dòng 4–5" in msg
    assert "`header_rows: [5, 6]`" in msg and "`first_data_row: 7`" in msg
    assert "Map it" not in msg and "conventions.columns" not in msg
    assert not (tmp_path / "run" / "co-so-y-te.csv").exists()
