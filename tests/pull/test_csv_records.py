"""Issue 17: ``CsvRecords`` splits quote-free lines itself and hands the rest to
``csv.reader``; it must read every file exactly as ``csv.reader`` does (records, row
numbers, errors and the line they name), and offer a line for copying only when
``csv.writer`` would write the record back as that line."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterator

import pytest

from pull.csvrows import CsvRecords

ALPHABET = ["a", "ổ", " ", ",", ";", '"', "\n", "\r", "\r\n", "\x00", "é", "\t", "\u2028"]


def _texts(seed: int, count: int) -> Iterator[str]:
    rnd = random.Random(seed)
    for _ in range(count):
        yield "".join(rnd.choice(ALPHABET) for _ in range(rnd.randrange(0, 60)))


Read = tuple[list[tuple[int, list[str]]], str | None, int]


def _mine(text: str, delimiter: str) -> Read:
    """(numbered records, error, line of the error) as ``_rewrite_csv`` reads them now."""
    reader = CsvRecords(io.StringIO(text, newline=""), delimiter)
    out: list[tuple[int, list[str]]] = []
    try:
        out.append((1, reader.header() or []))
        out.extend(reader)
    except csv.Error as exc:
        return out, str(exc), reader.line_num
    return out, None, 0


def _theirs(text: str, delimiter: str) -> Read:
    """... and as it read them with ``csv.reader``."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out: list[tuple[int, list[str]]] = []
    try:
        out.append((1, next(reader, None) or []))
        out.extend(enumerate(reader, start=2))
    except csv.Error as exc:
        return out, str(exc), reader.line_num
    return out, None, 0


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("limit", [None, 6])
def test_records_are_read_as_csv_reader_reads_them(delimiter: str, limit: int | None) -> None:
    old = csv.field_size_limit(limit) if limit else None
    errors = 0
    try:
        for text in _texts(17, 3000):
            mine = _mine(text, delimiter)
            assert mine == _theirs(text, delimiter), repr(text)
            errors += mine[1] is not None
    finally:
        if old is not None:
            csv.field_size_limit(old)
    assert errors > 100 if limit else errors == 0


def test_a_copied_line_is_what_csv_writer_writes() -> None:
    copied = 0
    for text in _texts(5, 3000):
        records = CsvRecords(io.StringIO(text, newline=""), ",")
        records.header()
        try:
            for _, row in records:
                if records.verbatim is None:
                    continue
                copied += 1
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerow(row)
                assert buf.getvalue() == records.verbatim
                assert records.joined == ",".join(row)
        except csv.Error:
            continue
    assert copied > 500


def test_no_line_is_copied_for_another_delimiter() -> None:
    records = CsvRecords(io.StringIO("a;b\nc;d\n", newline=""), ";")
    assert records.header() == ["a", "b"]
    assert [(n, r, records.verbatim) for n, r in records] == [(2, ["c", "d"], None)]


def test_a_quoted_cell_over_several_lines_is_one_record() -> None:
    text = 'a,b\n1,"hai\ndòng"\n2,x\n"3",y\n'
    records = CsvRecords(io.StringIO(text, newline=""), ",")
    assert records.header() == ["a", "b"]
    seen = [(n, r, records.verbatim) for n, r in records]
    assert seen == [(2, ["1", "hai\ndòng"], None), (3, ["2", "x"], "2,x\n"), (4, ["3", "y"], None)]
    assert records.line_num == 5
