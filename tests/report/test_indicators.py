"""The indicators computed from a synthetic history: each number worked out by hand."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from app.report.indicators import Agency, DeclaredDataset, compute, on_time
from app.report.period import PeriodError, parse_period
from app.report.render import render_html
from tests.report.synthetic import ORG_A, ORG_B, ORG_C, ORG_D, november_history

NOW = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
AGENCIES = [
    Agency(ORG_A, "Sở Y tế"),
    Agency(ORG_B, "Sở Du lịch"),
    Agency(ORG_C, "Sở Giáo dục và Đào tạo"),
    Agency(ORG_D, "Sở Kế hoạch và Đầu tư"),
]
DATASETS = [
    DeclaredDataset("d1", ORG_A, "Bộ một", "daily"),
    DeclaredDataset("d2", ORG_A, "Bộ hai", "monthly"),
    DeclaredDataset("d3", ORG_B, "Bộ ba", "quarterly"),
    DeclaredDataset("d4", ORG_B, "Bộ bốn", "irregular"),
    DeclaredDataset("d5", ORG_C, "Bộ năm", "weekly"),
]


def november(portal_counts=None):
    return compute(
        parse_period("2026-11"), AGENCIES, DATASETS, november_history(), portal_counts, now=NOW
    )


def test_indicators_of_november():
    data = november()
    ind = data["indicators"]
    assert (ind["agencies_publishing"]["numerator"], ind["agencies_publishing"]["denominator"]) == (
        2,
        4,
    )
    assert ind["agencies_publishing"]["value"] == 0.5
    assert ind["datasets_per_agency"]["value"] == 1.0  # d1..d4 released / 4 agencies
    assert (ind["on_time_rate"]["numerator"], ind["on_time_rate"]["denominator"]) == (2, 4)
    assert (
        ind["validation_pass_rate"]["numerator"],
        ind["validation_pass_rate"]["denominator"],
    ) == (33, 35)
    assert ind["validation_pass_rate"]["value"] == 0.9429
    assert data["runs"] == {
        "total": 36,
        "by_status": {"published": 3, "unchanged": 29, "invalid": 2, "failed": 2},
    }
    assert data["failures_by_code"] == {
        "validation-failed": 2,
        "source-error": 1,
        "portal-unavailable": 1,
    }
    assert data["top_findings"] == {"type-error": 3, "constraint-required": 2}
    assert data["notifications"] == {"delivered": 1, "failed": 2}
    rows = {d["dataset"]: d for d in data["datasets"]}
    assert {n: rows[n]["on_time"] for n in rows} == {
        "d1": True,
        "d2": False,
        "d3": True,
        "d4": None,
        "d5": False,
    }
    assert rows["d2"]["last_success"].startswith("2026-11-25")  # December's run ignored
    agencies = {a["organization"]: a for a in data["agencies"]}
    assert agencies[ORG_A]["declared"] == 2 and agencies[ORG_A]["released"] == 2
    assert agencies[ORG_A]["validation_pass_rate"] == round(31 / 32, 4)
    assert agencies[ORG_C]["publishing"] is False and agencies[ORG_C]["on_time_rate"] == 0.0
    assert agencies[ORG_D]["declared"] == 0 and agencies[ORG_D]["runs"] == 0


def test_portal_counts_add_agencies_publishing_outside_the_pipeline():
    ind = november({ORG_C: 1})["indicators"]
    assert ind["agencies_publishing"]["numerator"] == 3
    assert ind["agencies_publishing"]["value"] == 0.75


def test_other_periods():
    october = compute(parse_period("2026-10"), AGENCIES, DATASETS, november_history(), now=NOW)
    # October: d1 (daily) was first released on 31 Oct, 30 days into the period: late;
    # d2 released on 10 Oct was 21 days old at the end: on time; d3 on time; d5 never
    assert october["indicators"]["on_time_rate"]["numerator"] == 2
    assert october["runs"]["total"] == 2
    assert october["indicators"]["validation_pass_rate"]["value"] == 1.0
    future = compute(parse_period("2027-01"), AGENCIES, DATASETS, november_history(), now=NOW)
    assert future["indicators"]["on_time_rate"]["value"] is None  # nothing to judge yet
    year = compute(parse_period("2026"), AGENCIES, DATASETS, november_history(), now=NOW)
    assert year["runs"]["total"] == 40  # every run of 2026, December's included


def test_on_time_rules():
    p = parse_period("2026-11")
    t = dt.datetime
    vn = dt.timezone(dt.timedelta(hours=7))
    assert on_time([], "monthly", p, NOW) is False
    assert on_time([t(2026, 11, 1, tzinfo=vn)], "irregular", p, NOW) is None
    # a weekly dataset released on 1 and 9 Nov (8 days: within 7 + 1 of grace), then 17, 25
    weekly = [t(2026, 11, d, tzinfo=vn) for d in (1, 9, 17, 25)]
    assert on_time(weekly, "weekly", p, NOW) is True
    assert on_time(weekly[:3], "weekly", p, NOW) is False  # 17 Nov → 1 Dec: 14 days
    # the period still running: judged up to now
    till_20 = [t(2026, 10, 30, tzinfo=vn)] + [t(2026, 11, d, tzinfo=vn) for d in (6, 13, 20)]
    assert on_time(till_20, "weekly", p, t(2026, 11, 25, tzinfo=dt.UTC)) is True
    assert on_time(till_20, "weekly", p, NOW) is False  # 20 Nov → 1 Dec: 11 days


def test_periods():
    nov = parse_period("2026-11")
    assert nov.label_vi == "tháng 11/2026"
    assert nov.start.isoformat() == "2026-11-01T00:00:00+07:00"
    assert nov.end.isoformat() == "2026-12-01T00:00:00+07:00"
    assert parse_period("2026-12").end.isoformat() == "2027-01-01T00:00:00+07:00"
    q4 = parse_period("2026-q4")
    assert (q4.key, q4.label_vi) == ("2026-Q4", "quý IV/2026")
    assert parse_period("2026").label_vi == "năm 2026"
    for bad in ("2026-13", "11/2026", "2026-Q5", ""):
        with pytest.raises(PeriodError):
            parse_period(bad)


def test_html_report_is_vietnamese_with_inline_svg_charts():
    html = render_html(november(), "Quảng Ninh", "Cổng dữ liệu mở tỉnh Quảng Ninh")
    for label in (
        "Tỷ lệ cơ quan công bố dữ liệu mở",
        "Số bộ dữ liệu bình quân mỗi cơ quan",
        "Tỷ lệ bộ dữ liệu cập nhật đúng hạn",
        "Tỷ lệ lần cập nhật đạt kiểm tra chất lượng",
    ):
        assert label in html
    assert '<html lang="vi">' in html and html.count("<svg") >= 5
    assert "<script" not in html and "https://" not in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "94,3 %" in html  # validation pass rate, with the Vietnamese decimal comma
    assert "50,0 %" in html and "Trễ hạn" in html and "Đúng hạn" in html
    assert "Sở Kế hoạch và Đầu tư" in html
    # every chart is well-formed SVG with one bar per agency and series
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    trees = [ElementTree.fromstring(svg) for svg in svgs]
    per_agency = next(t for t in trees if t.get("aria-label") == "Số bộ dữ liệu theo cơ quan")
    bars = [
        r
        for r in per_agency.iter("{http://www.w3.org/2000/svg}rect")
        if r.find("{http://www.w3.org/2000/svg}title") is not None
    ]
    assert len(bars) == 2 * len(AGENCIES)
