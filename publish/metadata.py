"""The CKAN dataset's metadata, built from a dataset spec (DCAT-compatible, Vietnamese first)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dulieumo.catalog.models import FREQUENCY_VI

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec

#: DCAT / EU frequency vocabulary for the spec's update frequency (for harvesting)
FREQUENCY_URI = {
    "daily": "http://publications.europa.eu/resource/authority/frequency/DAILY",
    "weekly": "http://publications.europa.eu/resource/authority/frequency/WEEKLY",
    "monthly": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    "quarterly": "http://publications.europa.eu/resource/authority/frequency/QUARTERLY",
    "yearly": "http://publications.europa.eu/resource/authority/frequency/ANNUAL",
    "irregular": "http://publications.europa.eu/resource/authority/frequency/IRREG",
}


def _notes(spec: DatasetSpec) -> str:
    # the English description is its own field (description_en / notes_en), never a paragraph
    # of English on the citizen's Vietnamese page
    return spec.description.vi.strip()


def package_dict(spec: DatasetSpec, portal: PortalSpec) -> dict[str, Any]:
    """Everything CKAN stores about the dataset except its resources."""
    frequency = str(spec.frequency)
    extras = {
        "title_en": spec.title.en,
        "description_en": spec.description.en,
        "frequency": FREQUENCY_URI.get(frequency, frequency),
        "tan_suat_cap_nhat": FREQUENCY_VI.get(frequency, frequency),
        "language": "vi",
        "spatial_text": f"Tỉnh {portal.province.name}",
        "ma_tinh": portal.province.code,
        "contact_phone": spec.contact.phone if spec.contact else None,
        "source_spec": spec.spec_path.as_posix() if spec.spec_path else None,
        "schema_ref": spec.schema_path.as_posix(),
        "publisher_agency": spec.agency,
    }
    return {
        "name": spec.name,
        "title": spec.title.vi,
        "notes": _notes(spec),
        "owner_org": spec.organization,
        "license_id": spec.license,
        "maintainer": spec.maintainer.name,
        "maintainer_email": str(spec.maintainer.email),
        "author": _org_title(portal, spec.organization),
        "private": bool(spec.private),  # the intended visibility; see switch_visibility
        "tags": [{"name": t} for t in spec.tags],
        "groups": [{"name": g} for g in spec.groups],
        "extras": [{"key": k, "value": str(v)} for k, v in extras.items() if v],
    }


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
