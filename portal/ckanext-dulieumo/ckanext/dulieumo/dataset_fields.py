"""The dataset schema's own field logic (no CKAN import, tested without CKAN).

- the update frequency is stored as a code (``monthly``); the EU vocabulary URI that older
  releases stored is read back as its code, and the URI is derived for DCAT (`frequency_uri`);
- a contact phone must look like a phone number (no "0203 3825 XXX" placeholders);
- the release list (``dulieumo_releases``) is stored as JSON text in CKAN and shown by the API
  as a list of objects; `release_rows` prepares it for the dataset page (local times, kind,
  rollbacks).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from typing import Any

FREQUENCY_URI = {
    "daily": "http://publications.europa.eu/resource/authority/frequency/DAILY",
    "weekly": "http://publications.europa.eu/resource/authority/frequency/WEEKLY",
    "monthly": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    "quarterly": "http://publications.europa.eu/resource/authority/frequency/QUARTERLY",
    "yearly": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    "irregular": "http://publications.europa.eu/resource/authority/frequency/IRREG",
}
_CODE_OF_URI = {uri: code for code, uri in FREQUENCY_URI.items()}
PHONE = re.compile(r"^\+?\(?[0-9][0-9 ().-]{5,30}[0-9]$")
DEFAULT_TZ = "Asia/Ho_Chi_Minh"
KIND_VI = {"major": "MAJOR", "minor": "MINOR", "patch": "PATCH"}
#: the release-state keys a record may carry (anything else is dropped on the way in)
RELEASE_KEYS = (
    "version",
    "created",
    "fingerprint",
    "sha256",
    "bytes",
    "rows",
    "level",
    "resources",
    "summary",
    "note",
    "rows_added",
    "rows_removed",
    "rows_changed",
    "rollback_of",
    "inputs",
)


class FieldError(ValueError):
    """A value the schema refuses; the message says what is expected."""


def frequency_code(value: Any) -> Any:
    """The frequency code of `value` (a code, or the EU URI older releases stored)."""
    if isinstance(value, str):
        return _CODE_OF_URI.get(value.strip(), value.strip())
    return value


def frequency_uri(code: str | None) -> str | None:
    return FREQUENCY_URI.get(frequency_code(code) or "")


def phone(value: Any) -> str:
    text = str(value).strip()
    if not PHONE.match(text):
        raise FieldError(
            "must be a phone number (digits, spaces, +, ., -, parentheses), e.g. 0203 3825 123"
        )
    return text


def shown_phone(value: Any) -> Any:
    """What the API and the page show of a stored phone: nothing when it is not a phone
    number (a placeholder such as "0203 3825 XXX" stored before the schema checked it)."""
    try:
        return phone(value) if value else value
    except FieldError:
        return None


def _records(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else []
        except ValueError:
            raise FieldError("must be a JSON list of release objects") from None
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        raise FieldError("must be a list of release objects")
    for i, rec in enumerate(raw):
        if not isinstance(rec.get("version"), str) or not rec["version"]:
            raise FieldError(f"release {i}: 'version' must be text")
        if not isinstance(rec.get("resources", {}), dict):
            raise FieldError(f"release {i}: 'resources' must map roles to resource ids")
    return [{k: r[k] for k in RELEASE_KEYS if k in r} for r in raw]


def releases_in(value: Any) -> str:
    """What CKAN stores: the list as JSON text (a list or JSON text is accepted)."""
    return json.dumps(_records(value), ensure_ascii=False)


def releases_out(value: Any) -> list[dict[str, Any]]:
    """What the API shows: a list of objects (an unreadable stored value shows as [])."""
    try:
        return _records(value)
    except FieldError:
        return []


def parse_time(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def local_time(value: Any, tz: str = DEFAULT_TZ) -> str:
    """ "14:05 ngày 06/12/2026" in the portal's time zone, or "" when unreadable."""
    moment = parse_time(value)
    if moment is None:
        return ""
    return moment.astimezone(zoneinfo.ZoneInfo(tz)).strftime("%H:%M ngày %d/%m/%Y")


def release_rows(
    releases: Any, resources: list[dict[str, Any]], tz: str = DEFAULT_TZ
) -> list[dict[str, Any]]:
    """The release history as the dataset page shows it, newest first: version, local date,
    kind, row counts, the summary, rollback, and the links of its files."""
    by_id = {r.get("id"): r for r in resources or []}
    rows = []
    for rec in releases_out(releases):
        links = {
            role: by_id[rid].get("url")
            for role, rid in (rec.get("resources") or {}).items()
            if rid in by_id and by_id[rid].get("url")
        }
        note = rec.get("note") or ""
        rollback_of = rec.get("rollback_of") or _rollback_in(note)
        rows.append(
            {
                "version": rec["version"],
                "date": local_time(rec.get("created"), tz),
                "date_iso": rec.get("created") or "",
                "kind": KIND_VI.get(str(rec.get("level", "")).lower(), "PATCH"),
                "rollback_of": rollback_of,
                "rows": rec.get("rows"),
                "summary": rec.get("summary") or "",
                "note": note,
                "csv": links.get("release-data"),
                "datapackage": links.get("release-datapackage"),
                "report": links.get("release-report-html") or links.get("release-report"),
                "report_json": links.get("release-report"),
            }
        )
    return rows


_ROLLBACK = re.compile(r"Khôi phục dữ liệu của phiên bản ([0-9]+\.[0-9]+\.[0-9]+)")


def _rollback_in(note: str) -> str | None:
    match = _ROLLBACK.search(note)
    return match.group(1) if match else None
