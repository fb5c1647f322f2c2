"""The CKAN dataset's metadata, built from a dataset spec: the top-level fields of the
portal's dataset schema (ckanext-scheming, ``schemas/dataset.yaml`` in the extension),
Vietnamese first. No free-form extras: the extras older releases wrote are removed at the
next release (`OBSOLETE_EXTRAS`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .provenance import source_name

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec

#: DCAT / EU frequency vocabulary for the spec's update frequency (derived for harvesting;
#: the dataset stores the code)
FREQUENCY_URI = {
    "daily": "http://publications.europa.eu/resource/authority/frequency/DAILY",
    "weekly": "http://publications.europa.eu/resource/authority/frequency/WEEKLY",
    "monthly": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    "quarterly": "http://publications.europa.eu/resource/authority/frequency/QUARTERLY",
    "yearly": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    "irregular": "http://publications.europa.eu/resource/authority/frequency/IRREG",
}

#: the schema's descriptive fields the publisher writes (compared by planning)
SCHEMA_FIELDS = (
    "title_en",
    "notes_en",
    "frequency",
    "language",
    "contact_name",
    "contact_email",
    "contact_phone",
    "spatial_text",
    "spatial_code",
    "temporal_start",
    "temporal_end",
    "source_name",
)
#: the free-form extras of releases before the dataset schema that no field replaces under
#: the same name; removed at the next release. (``title_en``, ``frequency``, ``language``,
#: ``spatial_text`` and ``contact_phone`` are schema fields now, stored where the extras were:
#: the next release overwrites them; a stored EU frequency URI reads as its code.)
OBSOLETE_EXTRAS = frozenset(
    {
        "description_en",
        "tan_suat_cap_nhat",
        "ma_tinh",
        "source_spec",
        "schema_ref",
        "publisher_agency",
        "dulieumo_version",
    }
)


def package_dict(spec: DatasetSpec, portal: PortalSpec) -> dict[str, Any]:
    """Everything CKAN stores about the dataset except its resources and release state."""
    contact = spec.contact
    temporal = spec.temporal
    return {
        "name": spec.name,
        "title": spec.title.vi,
        "notes": spec.description.vi.strip(),
        "title_en": spec.title.en or "",
        "notes_en": (spec.description.en or "").strip(),
        "owner_org": spec.organization,
        "license_id": spec.license,
        "maintainer": spec.maintainer.name,
        "maintainer_email": str(spec.maintainer.email),
        "author": _org_title(portal, spec.organization),
        "private": bool(spec.private),  # the intended visibility; see switch_visibility
        "tags": [{"name": t} for t in spec.tags],
        "groups": [{"name": g} for g in spec.groups],
        "frequency": str(spec.frequency),
        "language": "vi",
        "contact_name": (contact.name if contact and contact.name else spec.maintainer.name),
        "contact_email": str(contact.email if contact and contact.email else spec.maintainer.email),
        "contact_phone": (contact.phone if contact and contact.phone else ""),
        "spatial_text": f"Tỉnh {portal.province.name}",
        "spatial_code": portal.province.code,
        "temporal_start": temporal.start.isoformat() if temporal else "",
        "temporal_end": temporal.end.isoformat() if temporal and temporal.end else "",
        "source_name": source_name(spec, portal),
        "extras": [],
    }


def kept_extras(package: dict[str, Any]) -> list[dict[str, Any]]:
    """The dataset's free extras to keep when its metadata is rewritten: everything except
    what the schema now holds as a field and the obsolete keys of older releases."""
    return [
        e
        for e in package.get("extras", [])
        if e["key"] not in OBSOLETE_EXTRAS and e["key"] not in package
    ]


def switch_visibility(spec: DatasetSpec, *, first_release: bool) -> dict[str, bool]:
    """What the release switch sends about visibility: the spec's `private` when declared;
    otherwise public at the first release, and afterwards nothing, so the dataset keeps the
    visibility an administrator gave it on the portal."""
    if spec.private is not None:
        return {"private": spec.private}
    return {"private": False} if first_release else {}


def _org_title(portal: PortalSpec, name: str) -> str:
    for org in portal.organizations:
        if org.name == name:
            return str(org.title)
    return name
