"""Issue 17: rows already normalised are written as they are (``pull/plainrows.py``); every
row the per-cell path would change still takes it, so the output is the same byte for byte.

The fast path rests on facts about Unicode that are checked here over every code point."""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from pull import pull_source
from pull.output import _EDGE, _INNER
from pull.plainrows import SEP, PlainRows
from pull.totals import LABEL_CHARS, LABEL_WORDS, PREFIX, WHOLE, TotalRows, total_label
from tests.pull.helpers import make_spec, read_csv
from tests.support import agency_files as af

CHARS = [chr(c) for c in range(sys.maxunicode + 1)]


def test_only_the_space_is_printable_whitespace() -> None:
    assert [c for c in CHARS if c.isspace() and c.isprintable()] == [" "]
    assert [c for c in _EDGE + "".join(map(chr, _INNER)) if c.isprintable()] == [" "]


def test_casefolding_a_printable_character_gives_no_whitespace() -> None:
    folds_to_space = [
        c
        for c in CHARS
        if c.isprintable() and not c.isspace() and any(x.isspace() for x in c.casefold())
    ]
    assert folds_to_space == []
    assert " ".casefold() == " "


def test_the_label_characters_are_all_that_casefold_to_them() -> None:
    wanted = {word[1] for word in LABEL_WORDS}  # "ổ", "ộ"
    assert {c for c in CHARS if wanted & set(c.casefold())} == set(LABEL_CHARS)
    assert all(any(w in label for w in LABEL_WORDS) for label in WHOLE)
    for word in ("tổng cộng", "tổng số", "cộng"):
        assert PREFIX.match(word + " ") or PREFIX.match(word + ":")


@pytest.mark.parametrize("sep", [SEP, ","])
def test_the_separators_never_compose_nor_reorder(sep: str) -> None:
    assert sep.isprintable() and unicodedata.combining(sep) == 0
    canonical = [
        c
        for c in CHARS
        if (d := unicodedata.decomposition(c))
        and not d.startswith("<")
        and f"{ord(sep):04X}" in d.split()
    ]
    assert canonical == []


FIELDS = [
    {"name": "ma", "type": "string"},
    {"name": "ten", "type": "string"},
    {"name": "so", "type": "integer"},
    {"name": "ngay", "type": "date"},
    {"name": "luc", "type": "datetime"},
]
HEADER = "ma,ten,so,ngay,luc\n"
CLEAN = "CS{i:05d},Hoàng Văn Thụ {i},{i},2024-05-01,2024-05-01T08:30:00\n"
# each of these the per-cell path changes (or leaves out, or reads with csv.reader)
SPECIAL = {
    "nbsp": "CS90001,Hạ\u00a0Long,1,2024-05-01,2024-05-01T08:30:00\n",
    "edge space": "CS90002 ,Cẩm Phả,2,2024-05-01,2024-05-01T08:30:00\n",
    # decoding made the file NFC; text after a closing quote joins the cell, not NFC
    "not nfc": 'CS90003,"Ha"\u0323 Long,3,2024-05-01,2024-05-01T08:30:00\n',
    "null marker": "CS90004,-,N/A,2024-05-01,2024-05-01T08:30:00\n",
    "blank cell": "CS90005,   ,5,2024-05-01,2024-05-01T08:30:00\n",
    "iso midnight": "CS90006,Uông Bí,6,2024-05-01T00:00:00,2024-05-01T00:00:00\n",
    "total": "Tổng cộng,,999,,\n",
    "declared total": "Cộng chung toàn tỉnh,,999,,\n",
    "ragged long": "CS90007,Vân Đồn,7,2024-05-01,2024-05-01T08:30:00,thừa\n",
    "ragged short": "CS90008,Móng Cái\n",
    # clean once read: the fast path (the cells written again, quoted)
    "quoted": 'CS90009,"Hạ Long, Quảng Ninh",9,2024-05-01,2024-05-01T08:30:00\n',
    "line break": 'CS90010,"hai\ndòng",10,2024-05-01,2024-05-01T08:30:00\n',
    "zero width": "CS90011,\u200bĐông Triều,11,2024-05-01,2024-05-01T08:30:00\n",
    "double space": "CS90012,Quảng  Yên,12,2024-05-01,2024-05-01T08:30:00\n",
    "tab": "CS90013,Cô\tTô,13,2024-05-01,2024-05-01T08:30:00\n",
}


def _agency_file(path: Path) -> Path:
    lines = [CLEAN.format(i=i) for i in range(300)]
    for k, line in enumerate(SPECIAL.values()):
        lines.insert(20 * k + 7, line)
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _pull(
    root: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool, **conv: Any
) -> tuple[bytes, bytes, int]:
    taken = 0
    unchanged = PlainRows.unchanged

    def spy(self: PlainRows, *args: Any) -> bool:
        nonlocal taken
        result = fast and unchanged(self, *args)
        taken += result
        return result

    monkeypatch.setattr(PlainRows, "unchanged", spy)
    _agency_file(root / "co-so.csv")
    source = {
        "type": "file",
        "path": "co-so.csv",
        "skip_rows": ["Cộng chung"],
        "check_totals": ["so"],
    }
    spec = make_spec(root, source, conventions=conv or None, fields=FIELDS, primary_key="ma")
    table = pull_source(spec, root=root, workdir=root / ("fast" if fast else "slow"))
    notes = table.path.with_name(table.path.name + ".notes.json")
    return table.path.read_bytes(), notes.read_bytes(), taken


@pytest.mark.parametrize(
    ("conv", "plain"),
    [
        ({}, 302),  # the clean rows, "quoted", and "null marker" (no markers declared)
        ({"null_markers": ["", "-", "N/A"]}, 301),
        ({"null_markers": ["", "-"], "trim_whitespace": False}, 301),
        ({"columns": {"ma": "ma", "ten": "ten", "so": "so", "ngay": "ngay", "luc": "luc"}}, 302),
        # a text rule: its cells go through their converter on the fast path, so the date
        # cell "2024-05-01T00:00:00" no longer sends its row to the per-cell path
        ({"date_format": "%Y-%m-%d"}, 303),
    ],
)
def test_rows_taking_the_fast_path_or_not_give_the_same_file_and_notes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, conv: dict[str, Any], plain: int
) -> None:
    fast, fast_notes, taken = _pull(tmp_path, monkeypatch, fast=True, **conv)
    slow, slow_notes, none = _pull(tmp_path, monkeypatch, fast=False, **conv)
    assert fast == slow and fast_notes == slow_notes
    assert none == 0 and taken == plain


def test_each_special_row_is_still_normalised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, notes, _ = _pull(tmp_path, monkeypatch, fast=True, null_markers=["", "-", "N/A"])
    rows = read_csv(tmp_path / "fast" / "co-so-y-te.csv")
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["CS90001"][1] == "Hạ Long"  # inner NBSP → space
    assert "CS90002" in by_code  # trimmed
    assert by_code["CS90003"][1] == "Hạ Long"  # NFC
    assert by_code["CS90004"][1:3] == ["", ""]  # null markers
    assert by_code["CS90005"][1] == ""  # blank → null
    assert by_code["CS90006"][3:] == ["2024-05-01", "2024-05-01T00:00:00"]  # date field only
    assert by_code["CS90007"][-1] == "thừa" and by_code["CS90008"] == ["CS90008", "Móng Cái"]
    assert by_code["CS90009"][1] == "Hạ Long, Quảng Ninh" and by_code["CS90010"][1] == "hai\ndòng"
    assert by_code["CS90011"][1] == "Đông Triều"
    assert by_code["CS90012"][1] == "Quảng  Yên" and by_code["CS90013"][1] == "Cô\tTô"
    assert len(rows) == 1 + 300 + len(SPECIAL) - 2  # the two total rows left out
    found = json.loads(notes)["total_rows"]
    assert [(t["label"], t["declared"]) for t in found] == [
        ("Tổng cộng", False),
        ("Cộng chung toàn tỉnh", True),
    ]


def test_typed_and_ragged_rows_take_the_per_cell_path() -> None:
    plain = PlainRows(3, set(), [], None)
    assert plain.unchanged(["a", "b c", "d"])
    assert not plain.unchanged(["a", 1, "d"])  # a typed value
    assert not plain.unchanged(["a", None, "d"])
    assert not plain.unchanged(["a", "b"])  # ragged
    assert not plain.unchanged(["a", "b ", "d"]) and not plain.unchanged([" a", "b", "d"])
    assert not plain.unchanged(["a", "b", "d "]) and not plain.unchanged(["a", "b  c", "d"])
    markers = PlainRows(3, {"", "-", "không có"}, [2], TotalRows(markers=["Cộng chung"]))
    assert not markers.unchanged(["a", "-", "d"])
    assert markers.unchanged(["a", "không", "d"], 5)
    assert not markers.unchanged(["a", "b", "2024-05-01 00:00"], 5)
    assert not markers.unchanged(["a", "TỔNG SỐ", "d"], 5)
    assert not markers.unchanged(["a", "b", "cộng chung xã"], 5)
    # "tổng" anywhere sends the row to the total-row test, which decides
    assert not markers.unchanged(["Tổng công ty", "b", "d"], 5)
    assert total_label(["Tổng công ty", "b", "d"]) is None
    last = PlainRows(3, set(), [], TotalRows(last_data_row=9))
    assert last.unchanged(["a", "b", "c"], 9) and not last.unchanged(["a", "b", "c"], 10)


COLUMNS6 = {
    "Mã cơ sở": "ma",
    "Tên cơ sở": "ten",
    "Loại hình": "loai",
    "Số giường": "so",
    "Kinh phí (triệu đồng)": "kinh_phi",
    "Ngày cấp phép": "ngay",
}
FIELDS6 = [
    {"name": "ma", "type": "string"},
    {"name": "ten", "type": "string"},
    {"name": "loai", "type": "string"},
    {"name": "so", "type": "integer"},
    {"name": "kinh_phi", "type": "number"},
    {"name": "ngay", "type": "date"},
]


def _agency(root: Path, kind: str) -> tuple[str, dict[str, Any]]:
    if kind in ("vi", "en"):
        af.conventions_csv(root / "f.csv", style=kind)
        return "f.csv", {"delimiter": ";" if kind == "vi" else ","}
    if kind == "totals":
        af.total_rows_csv(root / "f.csv")
        return "f.csv", {"delimiter": ";", "check_totals": ["so"]}
    if kind == "nbsp":
        af.nbsp_codes_csv(root / "f.csv")
        return "f.csv", {"delimiter": ";"}
    if kind == "xlsx":
        af.report_xlsx(root / "f.xlsx")
        return "f.xlsx", {"excel": {"header_rows": [5], "skip_rows": ["Tổng cộng"]}}
    af.legacy_csv(root / "f.csv", kind)
    return "f.csv", {"delimiter": ";", "encoding": kind}


@pytest.mark.parametrize("kind", ["vi", "en", "totals", "nbsp", "xlsx", "vni", "tcvn3"])
@pytest.mark.parametrize(
    "conv",
    [
        {"columns": COLUMNS6},
        {"columns": COLUMNS6, "date_format": "%d/%m/%Y", "decimal_char": ",", "group_char": "."},
        {"columns": COLUMNS6, "null_markers": ["", "-"], "trim_whitespace": False},
    ],
)
def test_the_agency_files_come_out_the_same_with_or_without_the_fast_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str, conv: dict[str, Any]
) -> None:
    out = []
    for fast in (True, False):
        if not fast:
            monkeypatch.setattr(PlainRows, "unchanged", lambda *_: False)
        path, source = _agency(tmp_path, kind)
        spec = make_spec(
            tmp_path, {"type": "file", "path": path, **source}, conventions=conv, fields=FIELDS6
        )
        table = pull_source(spec, root=tmp_path, workdir=tmp_path / str(fast))
        notes = table.path.with_name(table.path.name + ".notes.json")
        out.append((table.path.read_bytes(), notes.read_bytes(), table.sha256))
    assert out[0] == out[1]
