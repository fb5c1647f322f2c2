"""What the citizen pages say and do: the province's home and About pages from the portal
file, the footer, the agencies' contacts in Vietnamese order without member counts, the
validation report inside the portal, "Báo lỗi / góp ý", and the download on a phone's first
screen."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlparse

import requests

from dulieumo.catalog import load_portal
from dulieumo.settings import REPO_ROOT

from .conftest import open_page, screenshot

PORTAL = load_portal(REPO_ROOT)


def get(site, path: str) -> str:
    resp = requests.get(site.url + path, timeout=60)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.text


def text_of(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


def test_home_page_is_the_provinces(browser, site) -> None:
    assert PORTAL.site is not None
    page = open_page(browser, site.url + "/", "desktop")
    try:
        screenshot(page, "home", "desktop")
        body = page.inner_text("body")
        assert page.inner_text("h1") == PORTAL.site_title
        assert PORTAL.site.intro[0].split(",")[0] in body
        assert "ckan" not in page.title().lower() and "Chào mừng" not in body
        stats = page.inner_text(".dulieumo-stats")
        numbers = [int(n) for n in re.findall(r"\d+", stats.split("tháng")[0])]
        datasets, agencies, releases = numbers[:3]
        assert datasets >= 1 and releases >= 1
        assert agencies >= len(PORTAL.organizations)  # other tests may add their own
        # the plan's foundation areas are entry points to their groups
        links = page.eval_on_selector_all(
            ".dulieumo-areas a", "els => els.map(a => [a.innerText, a.getAttribute('href')])"
        )
        assert len(links) == len(PORTAL.site.foundation_areas)
        for area, (label, href) in zip(PORTAL.site.foundation_areas, links, strict=True):
            assert area.title in label
            assert href.endswith(f"/group/{area.group}")
        newest = page.inner_text(".dulieumo-lists")
        assert "Bộ dữ liệu mới" in newest and "Mới cập nhật" in newest
        assert page.locator(".dulieumo-lists a", has_text="cơ sở khám bệnh").count() >= 1
    finally:
        page.context.close()


def test_every_foundation_area_opens(site) -> None:
    assert PORTAL.site is not None
    for area in PORTAL.site.foundation_areas:
        assert area.title.split(",")[0] or area.group
        get(site, f"/group/{area.group}")


def test_about_page_says_who_licence_updates_contact(site) -> None:
    assert PORTAL.site is not None
    html = get(site, "/about")
    text = text_of(html)
    operator = next(o for o in PORTAL.organizations if o.name == PORTAL.site.operator)
    assert operator.title in text
    assert 'id="dieu-khoan"' in html and PORTAL.site.licence.name in text
    assert all(term[:40] in text for term in PORTAL.site.licence.terms)
    assert 'id="cap-nhat"' in html and PORTAL.site.update_policy[0][:40] in text
    assert 'id="lien-he"' in html and f"mailto:{PORTAL.site.contact.email}" in html
    assert "CKAN" not in text.replace("nền tảng mã nguồn mở CKAN", "")


def test_footer_links_api_guide_terms_and_contact(site) -> None:
    html = get(site, "/dataset/")
    footer = html[html.index("<footer") :]
    assert 'href="/huong-dan-api"' in footer
    assert 'href="/about#dieu-khoan"' in footer and 'href="/about#lien-he"' in footer
    assert "docs.ckan.org" not in footer


def test_organisation_page_shows_the_agencys_contact(site) -> None:
    org = next(o for o in PORTAL.organizations if o.name == site.organization)
    assert org.contact is not None
    for path in (f"/organization/{org.name}", f"/organization/about/{org.name}"):
        html = get(site, path)
        text = text_of(html)
        assert org.contact.address and org.contact.address in text, path
        assert org.contact.phone and org.contact.phone in text, path
        assert f'href="mailto:{org.contact.email}"' in html, path
        assert f'href="{org.contact.website}"' in html, path
        assert "dia_chi" not in text and "title_en" not in text, path


def test_organisations_in_vietnamese_order_without_member_counts(site) -> None:
    html = get(site, "/organization/")
    titles = [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'<h2 class="media-heading">(.*?)</h2>', html, flags=re.S)
    ]
    assert titles.index("Sở Tài nguyên và Môi trường") < titles.index("Sở Y tế")
    assert titles.index("Sở Du lịch") < titles.index("Sở Giáo dục và Đào tạo")
    assert set(titles) >= {o.title for o in PORTAL.organizations}
    for path in (
        "/organization/",
        f"/organization/{site.organization}",
        "/group/",
        f"/group/{site.group}",
    ):
        text = text_of(get(site, path))
        assert not re.search(r"\d+ (Member|thành viên)|Thành viên|Người theo dõi", text), path


def test_groups_in_vietnamese_order(site) -> None:
    html = get(site, "/group/")
    titles = [
        re.sub(r"\s+", " ", t).strip()
        for t in re.findall(r'<h2 class="media-heading">(.*?)</h2>', html, flags=re.S)
    ]
    # "Đất đai" and "Đầu tư" come after every D…, before G…
    assert titles.index("Du lịch") < titles.index("Đất đai") < titles.index("Giáo dục – Đào tạo")


def test_validation_report_inside_the_portal(browser, site) -> None:
    page = open_page(browser, site.url + site.pages["report"], "desktop")
    try:
        screenshot(page, "report", "desktop")
        assert page.locator("header.masthead").count() == 1  # the portal's own header
        assert page.inner_text("h1") == "Báo cáo kiểm tra chất lượng dữ liệu"
        back = page.locator("a", has_text="Quay lại bộ dữ liệu")
        assert back.get_attribute("href") == f"/dataset/{site.dataset}"
        meta = page.inner_text(".dulieumo-report-meta")
        assert re.search(
            r"\d\d:\d\d ngày \d\d/\d\d/\d{4} \(giờ địa phương, Asia/Ho_Chi_Minh, "
            r"UTC\+07:00\)",
            meta,
        ), meta
        assert f"{site.dataset}-v{site.version}.csv" in meta
        html = page.content()
        assert "samples/" not in html and "/tmp/" not in html and ".dulieumo/" not in html
    finally:
        page.context.close()


def test_report_of_an_unknown_version_is_404(site) -> None:
    resp = requests.get(site.url + f"/dataset/{site.dataset}/bao-cao-kiem-tra/99.0.0", timeout=60)
    assert resp.status_code == 404
    resp = requests.get(site.url + "/dataset/khong-co/bao-cao-kiem-tra/1.0.0", timeout=60)
    assert resp.status_code == 404


def test_report_issue_mail_names_dataset_and_version(site) -> None:
    html = get(site, f"/dataset/{site.dataset}")
    match = re.search(r'href="(mailto:[^"]+)"[^>]*>\s*<i[^>]*></i>\s*Báo lỗi / góp ý', html)
    assert match, "no «Báo lỗi / góp ý» link on the dataset page"
    url = urlparse(match.group(1).replace("&amp;", "&"))
    query = parse_qs(url.query)
    address = unquote(url.path)
    assert "@" in address
    subject = query["subject"][0]
    body = query["body"][0]
    assert "Danh sách cơ sở khám bệnh" in subject and site.version in subject
    assert f"Phiên bản: {site.version}" in body and f"/dataset/{site.dataset}" in body


def test_download_on_the_first_screen_of_a_phone(browser, site) -> None:
    page = open_page(browser, site.url + site.pages["resource"], "phone")
    try:
        screenshot(page, "resource", "phone")
        button = page.locator("a.resource-url-analytics.btn").first
        box = button.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= 844, f"the download button is at {box}"
    finally:
        page.context.close()


def test_search_without_diacritics_finds_the_health_dataset(site) -> None:
    html = get(site, site.pages["search"])
    assert f'href="/dataset/{site.dataset}"' in html
    assert "Tìm bộ dữ liệu" in html  # the page's own (visually hidden) H1
