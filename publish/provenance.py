"""Where a release's data comes from, as the published metadata says it.

The published ``datapackage.json`` (``sources``, ``x_dulieumo.provenance``) and the
dataset's ``source_name`` name the agency's source in Vietnamese ("Tệp xuất từ hệ thống của
Sở Y tế"), never a path on the machine that ran the pipeline; a source's URL is shown only
when it is a public web address (not localhost, not a private or reserved network).
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from dulieumo.catalog import DatasetSpec, PortalSpec

#: how each kind of source is described, after "… của <organisation>"
KIND_VI = {
    "file": "Tệp dữ liệu xuất từ hệ thống",
    "http": "Tệp dữ liệu công bố trên trang web",
    "api": "Dịch vụ dữ liệu (API)",
    "sql": "Cơ sở dữ liệu nghiệp vụ",
    "ckan": "Cổng dữ liệu",
}
PRIVATE_HOST_SUFFIXES = (".local", ".localdomain", ".internal", ".lan", ".home.arpa")


def organization_title(portal: PortalSpec, name: str) -> str:
    for org in portal.organizations:
        if org.name == name:
            return str(org.title)
    return name


def source_name(spec: DatasetSpec, portal: PortalSpec) -> str:
    """The agency's source, human-readable: the spec's `source_name` when it has one."""
    declared = getattr(spec, "source_name", None)
    if declared:
        return str(declared)
    kind = KIND_VI.get(str(spec.source.type), "Nguồn dữ liệu")
    return f"{kind} của {organization_title(portal, spec.organization)}"


def public_url(uri: str) -> str | None:
    """`uri` when it is an http(s) URL on a public host, else None."""
    try:
        parts = urlsplit(uri.split(" ", 1)[0])
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or "${" in uri:
        return None
    if host == "localhost" or "." not in host or host.endswith(PRIVATE_HOST_SUFFIXES):
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return parts.geturl().split(" ", 1)[0]
    return None if not address.is_global else parts.geturl()
