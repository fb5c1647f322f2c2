"""A release file cut into parts for several COPY sessions: whole records, in order."""

from __future__ import annotations

import csv
import io
import itertools
import random

from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import load_parts  # isort: skip


def _write(path, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _records(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_parts_are_whole_records_even_with_line_breaks_and_quotes_in_cells(tmp_path, monkeypatch):
    monkeypatch.setattr(load_parts, "MIN_SPLIT_BYTES", 0)
    rng = random.Random(7)
    cells = ["a", "b,c", 'say "hi"', "hai\ndòng", '"\n"', "", "x" * 50]
    rows = [["ma", "ghi_chu", "so"]] + [[f"K{i}", rng.choice(cells), str(i)] for i in range(3000)]
    path = tmp_path / "t.csv"
    _write(path, rows)
    data = path.read_bytes()
    for parts in (2, 3, 5):
        ranges = load_parts.file_parts(path, parts)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
        assert len(ranges) == parts
        pieces = []
        for start, end in ranges:
            with load_parts.FileSlice(path, start, end) as part:
                chunk = b"".join(iter(lambda p=part: p.read(997), b""))
            assert chunk == data[start:end]
            pieces.append(_records(chunk))  # each part parses on its own
        assert [r for piece in pieces for r in piece] == rows


def test_a_small_file_or_one_session_is_one_part(tmp_path):
    path = tmp_path / "t.csv"
    _write(path, [["a"], ["1"]])
    assert load_parts.file_parts(path, 2) == [(0, path.stat().st_size)]
    assert load_parts.file_parts(path, 1) == [(0, path.stat().st_size)]
