from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from validate.findings import Finding, Report, frictionless_code, parity_key


def test_finding_message_and_value_are_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Giá trị «Hạ Long» ở cột ten")
    f = Finding("type-error", decomposed, value=unicodedata.normalize("NFD", "Hạ Long"))
    assert f.message == unicodedata.normalize("NFC", decomposed) != decomposed
    assert f.value == "Hạ Long" and unicodedata.is_normalized("NFC", f.value)


def test_finding_rejects_unknown_severity() -> None:
    with pytest.raises(ValueError, match="severity"):
        Finding("type-error", "x", severity="fatal")


def test_report_caps_samples_but_keeps_full_counts(tmp_path: Path) -> None:
    rep = Report("ds", "a.csv", cap=3)
    for row in range(2, 12):
        rep.add(Finding("type-error", f"dòng {row}", row=row, field="so_giuong"))
    rep.add_count(
        "constraint-minimum",
        "error",
        1_000_000,
        [Finding("constraint-minimum", "m", row=r) for r in range(2, 50)],
    )
    assert rep.counts["type-error"] == 10
    assert rep.counts["constraint-minimum"] == 1_000_000
    assert len(rep.by_code("type-error")) == 3
    assert [f.row for f in rep.by_code("constraint-minimum")] == [2, 3, 4]
    assert rep.error_count == 1_000_010 and not rep.ok
    d = rep.to_dict()
    assert d["counts"] == {"constraint-minimum": 1_000_000, "type-error": 10}
    assert len(d["findings"]) == 6 and d["sample_cap"] == 3


def test_warnings_do_not_make_a_report_fail() -> None:
    rep = Report("ds", "a.csv")
    rep.add(Finding("expectation-failed", "cảnh báo", severity="warning", details={"index": 0}))
    assert rep.ok and rep.warning_count == 1 and rep.error_count == 0
    rep.add(Finding("expectation-failed", "lỗi", severity="error", details={"index": 1}))
    assert not rep.ok and rep.error_count == 1 and rep.warning_count == 1
    assert rep.severities == {"expectation-failed": "error"}


def test_expectation_samples_are_capped_per_expectation() -> None:
    rep = Report("ds", "a.csv", cap=2)
    for index in (0, 1):
        rep.add_count(
            "expectation-failed",
            "error",
            50,
            [
                Finding("expectation-failed", "x", row=r, details={"index": index})
                for r in range(2, 10)
            ],
        )
    assert rep.counts["expectation-failed"] == 100
    assert sorted(f.details["index"] for f in rep.findings) == [0, 0, 1, 1]


def test_write_json_is_utf8_nfc_and_readable(tmp_path: Path) -> None:
    rep = Report("ds", "a.csv", rows=3)
    rep.add(
        Finding(
            "type-error",
            unicodedata.normalize("NFD", "Giá trị «ạ» sai"),
            row=2,
            field="ten",
            value="ạ",
        )
    )
    path = rep.write_json(tmp_path / "out" / "report.json")
    raw = path.read_bytes().decode("utf-8")
    assert "Giá trị" in raw and "\\u" not in raw  # ensure_ascii=False
    assert unicodedata.is_normalized("NFC", raw)
    data = json.loads(raw)
    assert data["findings"][0] == {
        "code": "type-error",
        "message": "Giá trị «ạ» sai",
        "severity": "error",
        "file": None,
        "row": 2,
        "field": "ten",
        "value": "ạ",
        "details": {},
    }
    assert data["ok"] is False and data["rows"] == 3


def test_parity_mapping() -> None:
    assert frictionless_code("constraint-min-length") == "constraint-error"
    assert frictionless_code("type-error") == "type-error"
    assert parity_key("foreign-key", 7, "ma_xa") == (7, None, "foreign-key")
    assert parity_key("constraint-required", 3, "ten") == (3, "ten", "constraint-error")
