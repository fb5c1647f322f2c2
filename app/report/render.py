"""The Vietnamese HTML report: indicator cards and bar charts as inline SVG (no scripts, no
network), tables per agency and per dataset, and how each indicator is computed."""

from __future__ import annotations

import unicodedata
from html import escape
from typing import Any

from .indicators import LABELS_VI
from .period import VN_TZ, parse_time

SVG_NS = "http://www.w3.org/2000/svg"
COLOURS = {
    "main": "#1f6fb2",
    "second": "#9cc3e6",
    "bad": "#c0392b",
    "ok": "#2e8b57",
    "grid": "#dddddd",
    "text": "#222222",
}


def _pct(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".replace(".", ",") + " %"  # Vietnamese decimal comma


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",")


def _vn_time(iso: str | None) -> str:
    moment = parse_time(iso)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M") if moment else "—"


def _indicator_value(ind: dict[str, Any]) -> str:
    return _num(ind["value"]) if ind["unit"] == "datasets" else _pct(ind["value"])


def gauge_svg(value: float | None, width: int = 220) -> str:
    """One horizontal bar, 0 to 100 %."""
    filled = 0 if value is None else max(0.0, min(1.0, value)) * width
    colour = (
        COLOURS["ok"]
        if (value or 0) >= 0.8
        else COLOURS["main"]
        if (value or 0) >= 0.5
        else COLOURS["bad"]
    )
    return (
        f'<svg xmlns="{SVG_NS}" class="gauge" width="{width}" height="14" '
        f'viewBox="0 0 {width} 14" '
        f'role="img" aria-label="{escape(_pct(value))}">'
        f'<rect width="{width}" height="14" fill="{COLOURS["grid"]}" rx="3"/>'
        f'<rect width="{filled:.1f}" height="14" fill="{colour}" rx="3"/></svg>'
    )


def bar_chart_svg(
    title: str, rows: list[tuple[str, list[float]]], series: list[str], percent: bool = False
) -> str:
    """Horizontal grouped bars: one row per label, one bar per series."""
    label_w, bar_max, bar_h, gap = 260, 360, 14, 10
    n = max(1, len(series))
    row_h = n * bar_h + gap
    height = 40 + len(rows) * row_h + 24
    top = max([v for _, vals in rows for v in vals] + [1.0])
    top = 1.0 if percent else top
    palette = [COLOURS["main"], COLOURS["second"], COLOURS["ok"]]
    out = [
        f'<svg xmlns="{SVG_NS}" class="chart" width="{label_w + bar_max + 80}" '
        f'height="{height}" '
        f'viewBox="0 0 {label_w + bar_max + 80} {height}" role="img" '
        f'aria-label="{escape(title)}" font-family="sans-serif" font-size="12">',
        f'<text x="0" y="16" font-size="14" font-weight="bold" fill="{COLOURS["text"]}">'
        f"{escape(title)}</text>",
    ]
    for i, name in enumerate(series):  # legend
        x = label_w + i * 150
        out.append(
            f'<rect x="{x}" y="24" width="10" height="10" fill="{palette[i % 3]}"/>'
            f'<text x="{x + 14}" y="33">{escape(name)}</text>'
        )
    for r, (label, values) in enumerate(rows):
        y0 = 44 + r * row_h
        out.append(
            f'<text x="{label_w - 6}" y="{y0 + n * bar_h / 2 + 4:.0f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
        for i, value in enumerate(values):
            w = 0 if top == 0 else value / top * bar_max
            shown = _pct(value) if percent else f"{value:g}"
            y = y0 + i * bar_h
            out.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{palette[i % 3]}"><title>{escape(label)}: {shown}</title></rect>'
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}">{shown}</text>'
            )
    out.append("</svg>")
    return "".join(out)


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#222;
max-width:1100px;margin:2em auto;padding:0 1em;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ddd}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:12px}
.card{border:1px solid #ddd;border-radius:6px;padding:12px}
.card .v{font-size:1.8em;font-weight:bold;color:#1f6fb2}.card .d{color:#555;font-size:.9em}
table{border-collapse:collapse;width:100%;font-size:.92em}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left}th{background:#f3f6f9}
td.n{text-align:right}.late{color:#c0392b;font-weight:bold}.ok{color:#2e8b57}
.muted{color:#666;font-size:.9em}
"""


def render_html(data: dict[str, Any], province: str, site_title: str) -> str:
    ind = data["indicators"]
    cards = []
    for key in (
        "agencies_publishing",
        "datasets_per_agency",
        "on_time_rate",
        "validation_pass_rate",
    ):
        item = ind[key]
        frac = f"{item['numerator']:g}/{item['denominator']:g}"
        gauge = gauge_svg(item["value"]) if item["unit"] == "percent" else ""
        cards.append(
            f'<div class="card"><div>{escape(LABELS_VI[key])}</div>'
            f'<div class="v">{_indicator_value(item)}</div>{gauge}'
            f'<div class="d">{escape(frac)}</div></div>'
        )
    agencies = data["agencies"]
    chart_ds = bar_chart_svg(
        "Số bộ dữ liệu theo cơ quan",
        [(a["title"], [a["declared"], a["released"]]) for a in agencies],
        ["Trong danh mục", "Đã công bố (đến cuối kỳ)"],
    )
    checked = [a for a in agencies if a["validation_pass_rate"] is not None]
    chart_val = (
        bar_chart_svg(
            "Tỷ lệ đạt kiểm tra chất lượng theo cơ quan",
            [(a["title"], [a["validation_pass_rate"]]) for a in checked],
            ["Tỷ lệ đạt"],
            percent=True,
        )
        if checked
        else '<p class="muted">Không có lần cập nhật nào trong kỳ.</p>'
    )
    arows = "".join(
        f"<tr><td>{escape(a['title'])}</td><td>{'Có' if a['publishing'] else 'Chưa'}</td>"
        f"<td class=n>{a['declared']}</td><td class=n>{a['released']}</td>"
        f"<td class=n>{'—' if a['on_portal'] is None else a['on_portal']}</td>"
        f"<td class=n>{a['runs']}</td><td class=n>{_pct(a['validation_pass_rate'])}</td>"
        f"<td class=n>{_pct(a['on_time_rate'])}</td></tr>"
        for a in agencies
    )
    titles = {a["organization"]: a["title"] for a in agencies}
    drows = []
    for d in data["datasets"]:
        status = {
            True: '<span class="ok">Đúng hạn</span>',
            False: '<span class="late">Trễ hạn</span>',
            None: "Không áp dụng",
        }[d["on_time"]]
        drows.append(
            f"<tr><td>{escape(d['title'])}<br><span class=muted>{escape(d['dataset'])}"
            f"{'' if d['declared'] else ' · không còn trong danh mục'}</span>"
            f"</td><td>{escape(titles.get(d['organization'], d['organization']))}</td>"
            f"<td>{escape(d['frequency_vi'])}</td><td>{status}</td>"
            f"<td>{escape(_vn_time(d['last_success']))}</td>"
            f"<td class=n>{d['runs']}</td><td class=n>{d['validation_passed']}</td>"
            f"<td class=n>{d['validation_failed']}</td></tr>"
        )
    runs = data["runs"]
    status_vi = {
        "published": "Đã công bố",
        "unchanged": "Không thay đổi",
        "invalid": "Không đạt kiểm tra",
        "failed": "Lỗi",
        "skipped": "Bỏ qua",
    }
    run_items = "".join(
        f"<li>{escape(status_vi.get(k, k))}: {v}</li>" for k, v in sorted(runs["by_status"].items())
    )
    notif = data["notifications"]
    html = f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo chỉ số dữ liệu mở {escape(data["period_label"])} — tỉnh {escape(province)}</title>
<style>{CSS}</style></head><body>
<h1>Báo cáo chỉ số dữ liệu mở {escape(data["period_label"])}</h1>
<p>{escape(site_title)} · tỉnh {escape(province)} · kỳ báo cáo từ
{escape(data["start"][:10])} đến trước {escape(data["end"][:10])} (giờ Việt Nam) ·
lập lúc {escape(data["generated_at"])} (UTC)</p>
<h2>Chỉ số chính</h2><div class="cards">{"".join(cards)}</div>
<h2>Biểu đồ</h2>{chart_ds}{chart_val}
<h2>Theo cơ quan</h2>
<table><tr><th>Cơ quan</th><th>Có công bố</th><th>Bộ dữ liệu trong danh mục hiện nay</th>
<th>Đã công bố (đến cuối kỳ)</th><th>Trên Cổng hiện nay</th><th>Lần cập nhật trong kỳ</th>
<th>Tỷ lệ đạt kiểm tra</th><th>Tỷ lệ đúng hạn</th></tr>{arows}</table>
<h2>Theo bộ dữ liệu</h2>
<table><tr><th>Bộ dữ liệu</th><th>Cơ quan</th><th>Tần suất</th><th>Đúng hạn</th>
<th>Cập nhật thành công gần nhất (giờ Việt Nam)</th><th>Lần cập nhật</th><th>Đạt</th>
<th>Không đạt</th></tr>{"".join(drows)}</table>
<h2>Các lần cập nhật trong kỳ</h2><p>Tổng số: {runs["total"]}</p><ul>{run_items}</ul>
<p>Thông báo đã gửi: {notif["delivered"]} · gửi không thành công: {notif["failed"]}</p>
<h2>Cách tính</h2><ul>
<li><b>{LABELS_VI["agencies_publishing"]}</b>: số cơ quan (trong danh sách tổ chức của Cổng)
có ít nhất một bộ dữ liệu đã công bố đến cuối kỳ, hoặc đang công khai trên Cổng, chia cho
tổng số cơ quan.</li>
<li><b>{LABELS_VI["datasets_per_agency"]}</b>: số bộ dữ liệu đã công bố đến cuối kỳ chia cho
tổng số cơ quan.</li>
<li><b>{LABELS_VI["on_time_rate"]}</b>: trong các bộ dữ liệu có tần suất cập nhật định kỳ,
tỷ lệ bộ không lúc nào quá hạn trong kỳ (khoảng cách giữa hai lần cập nhật thành công không
vượt quá chu kỳ khai báo cộng 1 ngày). Bộ chưa từng công bố được tính là trễ hạn.</li>
<li><b>{LABELS_VI["validation_pass_rate"]}</b>: số lần cập nhật trong kỳ đạt kiểm tra chất
lượng chia cho số lần cập nhật đã qua bước kiểm tra.</li></ul>
<p class="muted">Lập tự động bởi dulieumo từ nhật ký các lần cập nhật, danh mục dữ liệu và
Cổng dữ liệu mở. Dữ liệu máy đọc: tệp JSON cùng kỳ.</p>
</body></html>
"""
    return unicodedata.normalize("NFC", html)
