"""A dataset as harvesters see it: the contract's fields with vocabulary URIs (no CKAN import).

The DCAT profile (dcat_profile.py) and the structured data of dataset pages read a dataset
through `harvestable`, which returns a copy of ``package_show``'s dict with the fields
ckanext-dcat's profiles read, filled from the shared dataset schema:

- top-level fields (``frequency``, ``language``, ``contact_*``, ``spatial_*``,
  ``temporal_*``, ``source_name``, ``title_en``/``notes_en``, ``dulieumo_releases``), with a
  fallback to the extras the publisher wrote before the schema (``ma_tinh``,
  ``description_en``, ``maintainer``, the JSON string of ``dulieumo_releases``...);
- codes become URIs of the EU vocabularies DCAT-AP asks for (frequency, language, licence,
  file type) and IANA media types;
- distributions: the latest data and every release's CSV and ``datapackage.json`` (not the
  validation reports), each with its download URL, media type, size and SHA-256 checksum.
"""

from __future__ import annotations

import json
from typing import Any

EU = "http://publications.europa.eu/resource/authority"
FREQUENCY_URI = {
    "daily": f"{EU}/frequency/DAILY",
    "weekly": f"{EU}/frequency/WEEKLY",
    "monthly": f"{EU}/frequency/MONTHLY",
    "quarterly": f"{EU}/frequency/QUARTERLY",
    "yearly": f"{EU}/frequency/ANNUAL",
    "irregular": f"{EU}/frequency/IRREG",
}
LANGUAGE_URI = {"vi": f"{EU}/language/VIE", "en": f"{EU}/language/ENG"}
LICENCE_URI = {
    "cc-by": f"{EU}/licence/CC_BY_4_0",
    "CC-BY-4.0": f"{EU}/licence/CC_BY_4_0",
    "cc-by-sa": f"{EU}/licence/CC_BY_SA_4_0",
    "cc-zero": f"{EU}/licence/CC0",
    "odc-by": f"{EU}/licence/ODC_BY",
    "odc-odbl": f"{EU}/licence/ODC_BL",
    "odc-pddl": f"{EU}/licence/ODC_PDDL",
}
FILE_TYPE_URI = {"CSV": f"{EU}/file-type/CSV", "JSON": f"{EU}/file-type/JSON"}
IANA = "http://www.iana.org/assignments/media-types"
MEDIA_TYPE = {"CSV": "text/csv", "JSON": "application/json"}
SHA256 = "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"
DATAPACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"

#: resource roles that are distributions (data and its description); reports are not
DISTRIBUTION_ROLES = ("latest-data", "release-data", "release-datapackage")
ROLE_KEY = "dulieumo_role"
VERSION_KEY = "dulieumo_version"


def value(pkg: dict[str, Any], name: str, *fallbacks: str) -> Any:
    """A dataset field: top-level (the schema), else the extra of that name, else the
    first legacy key (top-level or extra) that has a value."""
    extras = {e.get("key"): e.get("value") for e in pkg.get("extras") or []}
    for key in (name, *fallbacks):
        for found in (pkg.get(key), extras.get(key)):
            if found not in (None, "", [], {}):
                return found
    return None


def releases(pkg: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's releases, newest last: a structured list (schema) or the JSON extra."""
    raw = value(pkg, "dulieumo_releases")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    return [r for r in raw or [] if isinstance(r, dict)]


def to_uri(raw: Any, table: dict[str, str]) -> str | None:
    """A code's vocabulary URI; a value that is already a URI stays as it is."""
    if raw in (None, ""):
        return None
    text = str(raw)
    if text.startswith(("http://", "https://")):
        return text
    return table.get(text) or table.get(text.lower())


def licence_uri(pkg: dict[str, Any]) -> str | None:
    return to_uri(pkg.get("license_id"), LICENCE_URI) or pkg.get("license_url") or None


def _hash(raw: Any) -> tuple[str | None, str | None]:
    """(hex value, algorithm URI) of a resource's ``hash`` such as ``sha256:ab12…``."""
    text = str(raw or "")
    if text.startswith("sha256:"):
        return text.split(":", 1)[1], SHA256
    return (text or None), None


def _release_of(version: str | None, by_version: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return by_version.get(version or "", {})


def distribution(
    res: dict[str, Any], pkg: dict[str, Any], site_url: str, release: dict[str, Any]
) -> dict[str, Any]:
    """A resource with the fields of a DCAT distribution."""
    out = dict(res)
    fmt = str(res.get("format") or "").upper()
    url = res.get("url") or None
    out["download_url"] = url
    out["access_url"] = f"{site_url}/dataset/{pkg.get('name')}/resource/{res.get('id')}"
    media = res.get("mimetype") or MEDIA_TYPE.get(fmt)
    out["media_type"] = media or None
    out["mimetype"] = f"{IANA}/{media}" if media else None
    out["format"] = FILE_TYPE_URI.get(fmt, res.get("format"))
    out["language"] = [LANGUAGE_URI["vi"]]
    out["license"] = licence_uri(pkg)
    role = res.get(ROLE_KEY)
    if role == "release-datapackage":
        out["conforms_to"] = [DATAPACKAGE_SPEC]
    digest, algorithm = _hash(res.get("hash"))
    if role in ("release-data", "latest-data") and release:
        # the release record knows the CSV's bytes and hash, also for the "latest" link
        digest, algorithm = release.get("sha256") or digest, SHA256
        out["size"] = res.get("size") or release.get("bytes")
        if release.get("created"):
            out["issued"] = release["created"]
    out["hash"], out["hash_algorithm"] = digest, algorithm if digest else None
    return {k: v for k, v in out.items() if v not in (None, "")}


def harvestable(pkg: dict[str, Any], site_url: str) -> dict[str, Any]:
    """A copy of `pkg` with the fields ckanext-dcat's profiles read (see the module doc)."""
    site_url = site_url.rstrip("/")
    out = dict(pkg)
    out["frequency"] = to_uri(value(pkg, "frequency"), FREQUENCY_URI)
    lang = value(pkg, "language") or "vi"
    out["language"] = [to_uri(code, LANGUAGE_URI) or code for code in _as_list(lang)]
    out["contact_name"] = value(pkg, "contact_name", "maintainer")
    out["contact_email"] = value(pkg, "contact_email", "maintainer_email")
    out["contact_phone"] = value(pkg, "contact_phone")
    out["spatial_text"] = value(pkg, "spatial_text")
    out["spatial_code"] = value(pkg, "spatial_code", "ma_tinh")
    out["temporal_start"] = value(pkg, "temporal_start")
    out["temporal_end"] = value(pkg, "temporal_end")
    out["title_en"] = value(pkg, "title_en")
    out["notes_en"] = value(pkg, "notes_en", "description_en")
    out["version"] = value(pkg, "version", "dulieumo_version")
    out["version_notes"] = value(pkg, "version_notes")
    source = value(pkg, "source_name")
    if source:
        out["provenance"] = f"Nguồn dữ liệu: {source}"
    out["license_uri"] = licence_uri(pkg)
    out["url"] = f"{site_url}/dataset/{pkg.get('name')}"  # the landing page
    # what the base profile would also read from extras: keep only the normalised values
    out["extras"] = [
        e
        for e in pkg.get("extras") or []
        if e.get("key") not in _NORMALISED and not str(e.get("key")).startswith("dulieumo_")
    ]
    by_version = {str(r.get("version")): r for r in releases(pkg)}
    out["resources"] = [
        distribution(res, pkg, site_url, _release_of(res.get(VERSION_KEY), by_version))
        for res in pkg.get("resources") or []
        if res.get(ROLE_KEY) in DISTRIBUTION_ROLES or not res.get(ROLE_KEY)
    ]
    return {k: v for k, v in out.items() if v not in (None, "")}


_NORMALISED = frozenset(
    {
        "frequency",
        "language",
        "contact_name",
        "contact_email",
        "contact_phone",
        "spatial_text",
        "spatial_code",
        "temporal_start",
        "temporal_end",
        "title_en",
        "notes_en",
        "description_en",
        "version_notes",
        "source_name",
        "ma_tinh",
        "tan_suat_cap_nhat",
        "source_spec",
        "schema_ref",
        "publisher_agency",
    }
)


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, list):
        return raw
    text = str(raw)
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            return parsed if isinstance(parsed, list) else [text]
        except ValueError:
            pass
    return [part.strip() for part in text.split(",") if part.strip()]
