"""`dulieumo report` against the local portal: files written, the report published as its
own dataset, the same period updated (never duplicated) when run again."""

from __future__ import annotations

import json

import httpx

from dulieumo import history
from dulieumo.catalog import load_catalog
from tests.flows.conftest import prefect_server  # noqa: F401  (one Prefect server for the run)
from tests.report.synthetic import november_history
from tests.support.catalog import copy_catalog
from tests.support.cli import json_out, run

REPORT = "bao-cao-chi-so-du-lieu-mo"
LABELS = (
    "Tỷ lệ cơ quan công bố dữ liệu mở",
    "Số bộ dữ liệu bình quân mỗi cơ quan",
    "Tỷ lệ bộ dữ liệu cập nhật đúng hạn",
    "Tỷ lệ lần cập nhật đạt kiểm tra chất lượng",
)


def test_report_is_published_and_updated_in_place(portal, tmp_path):
    portal.reset()
    root = copy_catalog(tmp_path / "cat")
    work = tmp_path / "work"
    for record in november_history():
        history.append(record, work / "history" / "runs.jsonl")
    env = {"DULIEUMO_WORK_DIR": str(work)}
    assert run("publish", "co-so-luu-tru", root=root, env=env).returncode == 0

    out = tmp_path / "out"
    proc = run("report", "--period", "2026-11", "--json", "--out", str(out), root=root, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    result = json_out(proc)
    ind = result["indicators"]
    # every organisation of portal.yaml; so-y-te and so-du-lich released by the end of November
    organisations = len(load_catalog(root).portal.organizations)
    assert organisations >= 6
    assert (ind["agencies_publishing"]["numerator"], ind["agencies_publishing"]["denominator"]) == (
        2,
        organisations,
    )
    assert (
        ind["validation_pass_rate"]["numerator"],
        ind["validation_pass_rate"]["denominator"],
    ) == (33, 35)
    data = json.loads((out / "bao-cao-chi-so-2026-11.json").read_text(encoding="utf-8"))
    on_portal = {a["organization"]: a["on_portal"] for a in data["agencies"]}
    assert on_portal["so-du-lich"] == 1 and on_portal["so-y-te"] == 0  # read from the portal
    assert (out / "bao-cao-chi-so-2026-11.html").is_file()

    ckan = portal.ckan()
    pkg = ckan.action.package_show(id=REPORT)
    assert pkg["organization"]["name"] == "so-thong-tin-truyen-thong" and not pkg["private"]
    assert pkg["title"] == "Báo cáo chỉ số dữ liệu mở tỉnh Quảng Ninh"
    resources = {r["format"]: r for r in pkg["resources"]}
    assert set(resources) == {"HTML", "JSON"}
    assert resources["HTML"]["name"] == "Báo cáo chỉ số tháng 11/2026 (HTML)"
    html = httpx.get(portal_url(portal, resources["HTML"]["url"]), timeout=30)
    assert html.status_code == 200
    text = html.content.decode("utf-8")
    for label in LABELS:
        assert label in text
    assert "<svg" in text and "tháng 11/2026" in text
    published_json = httpx.get(portal_url(portal, resources["JSON"]["url"]), timeout=30).json()
    assert published_json["indicators"]["on_time_rate"] == data["indicators"]["on_time_rate"]

    # the same period again: the same two resources, updated; another period adds two
    ids = sorted(r["id"] for r in pkg["resources"])
    proc = run("report", "--period", "2026-11", "--out", str(out), root=root, env=env)
    assert proc.returncode == 0, proc.stderr
    share = f"{100 * 2 / organisations:.1f} % (2/{organisations})"
    assert f"Tỷ lệ cơ quan công bố dữ liệu mở: {share}" in proc.stdout
    again = ckan.action.package_show(id=REPORT)
    assert sorted(r["id"] for r in again["resources"]) == ids
    assert (
        run("report", "--period", "2026-10", "--out", str(out), root=root, env=env).returncode == 0
    )
    names = sorted(r["name"] for r in ckan.action.package_show(id=REPORT)["resources"])
    assert len(names) == 4 and "Báo cáo chỉ số tháng 10/2026 (JSON)" in names
    assert ckan.action.package_search(q="chỉ số dữ liệu mở")["count"] >= 1


def test_report_bad_period_is_a_clear_error(tmp_path):
    proc = run("report", "--period", "11/2026", "--no-publish", root=copy_catalog(tmp_path))
    assert proc.returncode == 2
    assert "2026-11" in proc.stderr and "Traceback" not in proc.stderr


def portal_url(portal, url: str) -> str:
    """A resource URL (built from the portal's site_url) through the test's address."""
    from urllib.parse import urlsplit

    return portal.url + urlsplit(url).path


def test_report_with_the_portal_down_writes_the_files_and_says_so(tmp_path):
    from tests.support.servers import free_port

    out = tmp_path / "out"
    env = {
        "CKAN_URL": f"http://127.0.0.1:{free_port()}",
        "CKAN_API_TOKEN": "tok-secret-123",
        "DULIEUMO_WORK_DIR": str(tmp_path / "work"),
    }
    proc = run(
        "report",
        "--period",
        "2026-11",
        "--out",
        str(out),
        root=copy_catalog(tmp_path / "cat"),
        env=env,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "could not be reached" in proc.stderr and "--no-publish" in proc.stderr
    assert "bao-cao-chi-so-2026-11.html" in proc.stderr
    assert (out / "bao-cao-chi-so-2026-11.html").is_file()
    assert "tok-secret-123" not in proc.stderr + proc.stdout and "Traceback" not in proc.stderr
    proc = run(
        "report",
        "--period",
        "2026-11",
        "--no-publish",
        "--json",
        "--out",
        str(out),
        root=copy_catalog(tmp_path / "cat2"),
        env=env,
    )
    assert proc.returncode == 0 and "portal" not in json_out(proc)
