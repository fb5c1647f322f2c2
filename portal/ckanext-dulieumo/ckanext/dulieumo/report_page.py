"""The validation report of a release, as a page of the portal.

``/dataset/<id>/bao-cao-kiem-tra/<version>`` reads the release's JSON report (the resource
the publisher uploaded, role ``release-report``) and shows it inside the portal's layout:
header, a way back to the dataset, the release time in local time with its zone, and no
file path of the machine that ran the pipeline. Access is the dataset's: a visitor who may
not read the dataset gets CKAN's 404.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from pathlib import Path
from typing import Any

from .home import releases_of

#: the largest report file the page reads (reports keep at most 100 samples per code)
MAX_REPORT_BYTES = 20 * 1024 * 1024
DEFAULT_TZ = "Asia/Ho_Chi_Minh"
ROLE = "release-report"


def local_time(value: Any, tz_name: str | None) -> dict[str, str]:
    """``{"text": "14:05 ngày 06/12/2026", "zone": "Asia/Ho_Chi_Minh, UTC+07:00", "iso"}``."""
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return {"text": "", "zone": "", "iso": ""}
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    try:
        tz = zoneinfo.ZoneInfo(tz_name or DEFAULT_TZ)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo(DEFAULT_TZ)
    local = moment.astimezone(tz)
    offset = local.strftime("%z")
    return {
        "text": local.strftime("%H:%M ngày %d/%m/%Y"),
        "zone": f"{tz.key}, UTC{offset[:3]}:{offset[3:]}",
        "iso": local.isoformat(),
    }


def report_resource(pkg: dict[str, Any], version: str) -> dict[str, Any] | None:
    """The JSON report resource of `version` of the dataset `pkg`."""
    record = next((r for r in releases_of(pkg) if str(r.get("version")) == version), None)
    wanted = ((record or {}).get("resources") or {}).get(ROLE)
    for res in pkg.get("resources") or []:
        if wanted and res.get("id") == wanted:
            return dict(res)
    for res in pkg.get("resources") or []:
        if res.get("dulieumo_role") == ROLE and str(res.get("dulieumo_version")) == version:
            return dict(res)
    return None


def public_file_name(pkg: dict[str, Any], version: str) -> str:
    """The name citizens know the checked file by (the release's CSV), never the path the
    pipeline read it from."""
    return f"{pkg.get('name')}-v{version}.csv"


def without_paths(value: Any, internal: str, public: str) -> Any:
    """`value` (the report's JSON) with the pipeline's path of the file replaced by the name
    citizens know it by, wherever a message quotes it."""
    if isinstance(value, str):
        return value.replace(internal, public) if internal else value
    if isinstance(value, list):
        return [without_paths(v, internal, public) for v in value]
    if isinstance(value, dict):
        return {k: without_paths(v, internal, public) for k, v in value.items()}
    return value


def report_url(name: str, version: str) -> str:
    """Template helper ``h.dulieumo_report_url(name, version)``: the report page's address."""
    from ckan.plugins import toolkit

    return str(toolkit.url_for("dulieumo_report.view", id=name, version=version))


def view(id: str, version: str) -> Any:
    from ckan.lib import uploader
    from ckan.plugins import toolkit

    context: dict[str, Any] = {}
    try:
        pkg = toolkit.get_action("package_show")(context, {"id": id})
    except (toolkit.ObjectNotFound, toolkit.NotAuthorized):
        return toolkit.abort(404, "Không tìm thấy bộ dữ liệu.")
    res = report_resource(pkg, version)
    if res is None or res.get("url_type") != "upload":
        return toolkit.abort(404, "Không tìm thấy báo cáo kiểm tra của phiên bản này.")
    path = Path(uploader.get_resource_uploader(res).get_path(res["id"]))
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            return toolkit.abort(404, "Báo cáo quá lớn để hiển thị; hãy tải tệp JSON.")
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return toolkit.abort(404, "Không đọc được báo cáo kiểm tra của phiên bản này.")
    if not isinstance(report, dict):
        return toolkit.abort(404, "Không đọc được báo cáo kiểm tra của phiên bản này.")
    file_name = public_file_name(pkg, version)
    report = without_paths(report, str(report.get("file") or ""), file_name)
    record = next((r for r in releases_of(pkg) if str(r.get("version")) == version), {})
    created = local_time(
        record.get("created") or res.get("created"), toolkit.config.get("ckan.display_timezone")
    )
    return toolkit.render(
        "dulieumo/validation_report.html",
        {
            "pkg": pkg,
            "version": version,
            "report": report,
            "created": created,
            "file_name": file_name,
            "json_url": res.get("url") or "",
        },
    )


def blueprint() -> Any:
    from flask import Blueprint

    bp = Blueprint("dulieumo_report", __name__)
    bp.add_url_rule("/dataset/<id>/bao-cao-kiem-tra/<version>", view_func=view)
    return bp
