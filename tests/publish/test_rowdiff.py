"""The streamed row diff: counts, samples and the delta the portal builds a table from."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from publish import rowdiff
from publish.rowdiff import diff_rows

HEADER = ["tram", "ngay", "gia_tri", "ghi_chu"]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _rows(n: int) -> list[list[str]]:
    return [[f"QN{i % 7:03d}", f"2026-01-{i // 7 + 1:02d}", str(i), ""] for i in range(n)]


def test_composite_key_delta_has_the_changed_and_added_rows_and_the_dropped_keys(tmp_path):
    old_rows = _rows(140)
    new_rows = [list(r) for r in old_rows]
    new_rows[10][2] = "999"  # changed
    new_rows[20][3] = "Ghi chú mới"  # changed (a text that was empty)
    removed = new_rows.pop(30)
    new_rows.append(["QN099", "2026-02-01", "1", "thêm"])  # added
    old = _write(tmp_path / "old.csv", old_rows)
    new = _write(tmp_path / "new.csv", new_rows)
    d = diff_rows(old, new, ["tram", "ngay"])
    assert (d.added, d.removed, d.changed, d.unchanged) == (1, 1, 2, 137)
    assert d.delta is not None and d.delta.key == ["tram", "ngay"]
    assert sorted(d.delta.drop) == sorted([old_rows[10][:2], old_rows[20][:2], removed[:2]])
    assert [r["gia_tri"] for r in d.delta.rows] == ["999", str(20), "1"]
    assert d.delta.rows[1]["ghi_chu"] == "Ghi chú mới"
    assert d.samples["changed"][0] == {
        "key": "QN003\x1f2026-01-02",
        "before": {"gia_tri": "10"},
        "after": {"gia_tri": "999"},
    }
    assert d.samples["removed"][0]["gia_tri"] == removed[2]


def test_unchanged_file_has_an_empty_delta(tmp_path):
    old = _write(tmp_path / "old.csv", _rows(50))
    new = _write(tmp_path / "new.csv", list(reversed(_rows(50))))  # order does not matter
    d = diff_rows(old, new, ["tram", "ngay"])
    assert d.empty and d.unchanged == 50
    assert d.delta is not None and d.delta.rows == [] and d.delta.drop == []


def test_many_changes_or_a_new_column_give_no_delta(tmp_path):
    old = _write(tmp_path / "old.csv", _rows(100))
    changed = [[*r[:2], str(int(r[2]) + 1), r[3]] for r in _rows(100)]
    new = _write(tmp_path / "new.csv", changed)
    d = diff_rows(old, new, ["tram", "ngay"], delta_limit=10)
    assert d.changed == 100 and d.delta is None
    assert len(d.samples["changed"]) == 20
    wider = _write(tmp_path / "wider.csv", [[*r, "x"] for r in _rows(100)], [*HEADER, "don_vi"])
    d = diff_rows(old, wider, ["tram", "ngay"])
    assert d.unchanged == 100 and d.delta is None  # compared on the common columns


def test_a_value_moved_between_columns_is_a_change(tmp_path):
    """Row hashes see which column a value is in ("a","" vs "","a")."""
    old = _write(tmp_path / "old.csv", [["QN001", "2026-01-01", "5", ""]])
    new = _write(tmp_path / "new.csv", [["QN001", "2026-01-01", "", "5"]])
    assert diff_rows(old, new, ["tram", "ngay"]).changed == 1


def test_first_release_counts_rows_streamed(tmp_path):
    new = _write(tmp_path / "new.csv", _rows(1000))
    d = diff_rows(None, new, ["tram", "ngay"], sample_limit=3)
    assert d.added == 1000 and len(d.samples["added"]) == 3 and d.delta is None


def _agency_rows(rng: random.Random, n: int) -> list[list[str]]:
    """Rows with the cells agency files hold: commas, quotes, spaces, Vietnamese, empties."""
    notes = ["", "Đạt", "Không đạt, cần đo lại", 'Ghi "tạm"', " khoảng trắng ", "a,b,c"]
    return [
        [
            f"QN{i % 13:03d}",
            f"2026-{i // 13 % 12 + 1:02d}-{i // 156 + 1:02d}",
            str(i),
            rng.choice(notes),
        ]
        for i in range(n)
    ]


def _edited(rng: random.Random, rows: list[list[str]]) -> list[list[str]]:
    out = [list(r) for r in rows]
    for _ in range(15):
        out[rng.randrange(len(out))][rng.choice([2, 3])] = rng.choice(["7", "", 'mới, "x"'])
    for _ in range(5):
        out.pop(rng.randrange(len(out)))
    out += [[f"QN2{i:02d}", "2027-01-01", str(i), "thêm"] for i in range(4)]
    rng.shuffle(out)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_line_comparison_gives_the_column_comparisons_result(tmp_path, seed):
    """The fast path (lines found in one file only) and the column path agree on counts,
    samples and delta, on files with quoted cells, reordered rows and edits."""
    rng = random.Random(seed)
    old_rows = _agency_rows(rng, 2000)
    old = _write(tmp_path / "old.csv", old_rows)
    new = _write(tmp_path / "new.csv", _edited(rng, old_rows))
    key = ["tram", "ngay"]
    fast = rowdiff._by_lines(old, new, HEADER, key, 20, 50_000)
    slow = rowdiff._by_columns(old, new, key, 20, 50_000)
    assert fast is not None and fast.changed > 0
    assert fast.to_dict() == slow.to_dict()
    assert fast.delta is not None and slow.delta is not None
    assert fast.delta.drop == slow.delta.drop and fast.delta.rows == slow.delta.rows
    assert diff_rows(old, new, key).to_dict() == slow.to_dict()


def test_lines_that_cannot_stand_for_rows_take_the_column_path(tmp_path):
    rows = _rows(30)
    old = _write(tmp_path / "old.csv", rows)
    broken = [list(r) for r in rows]
    broken[3][3] = "hai\ndòng"  # a cell holding a line break: one row, two lines
    new = _write(tmp_path / "new.csv", broken)
    assert rowdiff._by_lines(old, new, HEADER, ["tram", "ngay"], 20, 50_000) is None
    d = diff_rows(old, new, ["tram", "ngay"])
    assert (d.changed, d.unchanged) == (1, 29)
    assert d.samples["changed"][0]["after"] == {"ghi_chu": "hai\ndòng"}


def test_a_row_written_with_other_quoting_is_unchanged(tmp_path):
    """The same values quoted differently (another writer) are not a change."""
    old = tmp_path / "old.csv"
    old.write_text("tram,ngay,gia_tri,ghi_chu\nQN001,2026-01-01,5,x\nQN002,2026-01-01,6,y\n")
    new = tmp_path / "new.csv"
    new.write_text('tram,ngay,gia_tri,ghi_chu\n"QN001",2026-01-01,5,"x"\nQN002,2026-01-01,7,y\n')
    d = diff_rows(old, new, ["tram", "ngay"])
    assert (d.added, d.removed, d.changed, d.unchanged) == (0, 0, 1, 1)
    assert d.delta is not None and [r["tram"] for r in d.delta.rows] == ["QN002"]
