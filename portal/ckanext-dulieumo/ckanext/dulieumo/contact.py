"""Agency contacts on the portal's pages: an organisation's address, phone, e-mail and
website (extras seeded from ``datasets/portal.yaml``), and the "Báo lỗi / góp ý" e-mail of a
dataset, addressed to its contact and naming the dataset and its version."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

#: organisation extra → label on its page, in the order shown
ORG_CONTACT = (
    ("dia_chi", "Địa chỉ"),
    ("dien_thoai", "Điện thoại"),
    ("email", "Thư điện tử"),
    ("website", "Trang thông tin"),
)


def _extras(d: dict[str, Any] | None) -> dict[str, Any]:
    return {e.get("key"): e.get("value") for e in (d or {}).get("extras") or []}


def org_contact(org: dict[str, Any] | None) -> list[dict[str, str]]:
    """``[{"key", "label", "value", "href"}]`` of an organisation, only what it has."""
    extras = _extras(org)
    out = []
    for key, label in ORG_CONTACT:
        value = str(extras.get(key) or "").strip()
        if not value:
            continue
        href = ""
        if key == "email":
            href = "mailto:" + value
        elif key == "dien_thoai":
            href = "tel:" + "".join(c for c in value if c.isdigit() or c == "+")
        elif key == "website" and value.startswith(("http://", "https://")):
            href = value
        out.append({"key": key, "label": label, "value": value, "href": href})
    return out


def _field(pkg: dict[str, Any], name: str) -> str:
    """A top-level dataset field (the dataset schema), else the extra of the same name."""
    value = pkg.get(name)
    if value in (None, ""):
        value = _extras(pkg).get(name)
    return str(value or "").strip()


def feedback_address(pkg: dict[str, Any]) -> str:
    """Who hears about a problem with the data: the dataset's contact, its maintainer, or its
    organisation's e-mail."""
    for name in ("contact_email", "maintainer_email", "author_email"):
        value = _field(pkg, name)
        if "@" in value:
            return value
    org_email = _extras(pkg.get("organization")).get("email")
    return str(org_email or "").strip()


def feedback_mailto(pkg: dict[str, Any], page_url: str = "") -> str:
    """``mailto:`` with a subject and body naming the dataset and its version; "" when the
    dataset has no address to write to."""
    to = feedback_address(pkg)
    if not to:
        return ""
    title = pkg.get("title") or pkg.get("name") or ""
    version = _field(pkg, "version") or _field(pkg, "dulieumo_version")
    subject = f"[Báo lỗi / góp ý] {title}" + (f" (phiên bản {version})" if version else "")
    lines = [
        "Kính gửi cơ quan công bố dữ liệu,",
        "",
        f"Bộ dữ liệu: {title}",
        f"Mã bộ dữ liệu: {pkg.get('name') or ''}",
    ]
    if version:
        lines.append(f"Phiên bản: {version}")
    if page_url:
        lines.append(f"Địa chỉ: {page_url}")
    lines += ["", "Nội dung báo lỗi / góp ý (dòng, cột, giá trị nếu có):", ""]
    body = "\r\n".join(lines)
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{quote(to, safe='@')}?{query}"
