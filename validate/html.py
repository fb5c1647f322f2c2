"""The Vietnamese HTML report a data officer reads: summary, findings per code and per
field, and a few of the offending rows (personal data masked). Template: templates/."""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
import zoneinfo
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dulieumo.redact import mask_text

from .findings import Report
from .guard import redact
from .messages import title
from .schema import TableSchema

TEMPLATES = Path(__file__).parent / "templates"
SAMPLES_PER_CODE = 50  # rows shown per code (the JSON keeps up to the report's cap)
SAMPLE_ROWS = 10  # offending rows shown in full
#: the report's time is the province's, with its zone (a server runs on UTC)
REPORT_TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def sample_rows(
    path: Path, wanted: dict[int, set[str]], limit: int = SAMPLE_ROWS, max_bytes: int = 1 << 12
) -> tuple[list[str], list[tuple[int, list[str], set[str]]]]:
    """(header, [(row number, cells, bad fields)]) for the first `limit` wanted rows, read
    streaming; every cell masked for personal data and cut to `max_bytes` characters."""
    rows = sorted(wanted)[:limit]
    if not rows or not path.is_file():
        return [], []
    out = []
    last = rows[-1]
    targets = set(rows)
    try:
        with path.open(encoding="utf-8", newline="", errors="replace") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            for number, cells in enumerate(reader, start=2):
                if number in targets:
                    out.append((number, [redact(c[:max_bytes]) for c in cells], wanted[number]))
                if number >= last:
                    break
    except (csv.Error, OSError):
        return [], []
    return header, out


def _generated(moment: dt.datetime) -> str:
    local = moment.astimezone(REPORT_TZ)
    offset = local.strftime("%z")
    return local.strftime("%H:%M ngày %d/%m/%Y") + f" (giờ Việt Nam, UTC{offset[:3]}:{offset[3:]})"


def render(
    report: Report | Any,
    *,
    table: Path | None = None,
    schema: TableSchema | None = None,
    version: str | None = None,
) -> str:
    if not isinstance(report, Report):  # a report kept as JSON (rollback's archived one)
        report = Report.from_dict(report.to_dict())
    groups = report.groups()
    wanted: dict[int, set[str]] = {}
    for f in report.sorted_findings():
        if f.row and f.row > 1 and f.severity == "error":
            wanted.setdefault(f.row, set()).update((f.field or "").split(", "))
    header, rows = sample_rows(table, wanted) if table is not None else ([], [])
    titles = {f.name: f.title or "" for f in schema.fields} if schema is not None else {}
    text = _ENV.get_template("report.html.j2").render(
        r=report,
        groups=groups,
        by_field=report.by_field(),
        titles=titles,
        code_title=title,
        limit=SAMPLES_PER_CODE,
        header=header,
        rows=rows,
        version=version,
        # a published release's report names the release's file, never the path the run read
        file=f"{report.dataset}-v{version}.csv" if version else report.file,
        generated=_generated(dt.datetime.now(dt.UTC)),
    )
    return mask_text(unicodedata.normalize("NFC", text))  # credentials never shown


def write_html(report: Report | Any, path: Path, **kwargs: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(report, **kwargs), encoding="utf-8")
    return path
