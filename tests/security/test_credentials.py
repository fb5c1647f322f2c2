"""Finding 6: a literal password / token in a source URL is masked everywhere it is written —
the published validation report (JSON and HTML, downloaded from the portal), datapackage.json,
the Prefect artifacts, the run history, the local reports and quarantine, the e-mail and the
webhook body, the command's own output — and `catalog check` warns about it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from samples.agency_server import AgencyServer
from tests.support.catalog import copy_catalog, edit_spec
from tests.support.cli import json_out, run
from tests.support.servers import set_notify, smtp_env, smtp_server, webhook_receiver

DATASET = "chi-so-gia-xay-dung"
ORG = "so-xay-dung"
PASSWORD = "Pw-s3cret-8841"
TOKEN = "tok-s3cret-5521"
API_KEY = "key-s3cret-7731"
SECRETS = (PASSWORD, TOKEN, API_KEY)


def leaked(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def secret_url(base: str) -> str:
    return (
        base.replace("http://", f"http://officer:{PASSWORD}@")
        + f"/files/so-xay-dung/{DATASET}.csv?access_token={TOKEN}&api_key={API_KEY}"
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat", only=(DATASET,))


def break_data(root: Path) -> None:
    csv = root / "samples" / ORG / f"{DATASET}.csv"
    text = csv.read_text(encoding="utf-8-sig")
    assert ";107,37;" in text
    csv.write_text("\ufeff" + text.replace(";107,37;", ";một trăm;", 1), encoding="utf-8")


def prefect_artifacts() -> str:
    import os

    api = os.environ["PREFECT_API_URL"]
    resp = httpx.post(f"{api}/artifacts/filter", json={"limit": 200}, timeout=30)
    resp.raise_for_status()
    return resp.text


def test_literal_credentials_are_masked_everywhere(portal, root: Path, tmp_path: Path) -> None:
    portal.reset()
    work = tmp_path / "work"
    with AgencyServer(root=root, port=0, sql=False) as agency:
        edit_spec(root, DATASET, lambda d: d["source"].update(url=secret_url(agency.url)))
        with smtp_server() as inbox, webhook_receiver() as hook:
            set_notify(
                root,
                ORG,
                {"email": ["ktvl.sxd@quangninh.gov.vn"], "webhook": hook.url, "on_success": True},
            )
            env = smtp_env(inbox.port) | {"DULIEUMO_WORK_DIR": str(work)}
            ok = run("publish", DATASET, root=root, env=env)
            assert ok.returncode == 0, ok.stdout + ok.stderr
            break_data(root)
            bad = run("publish", DATASET, root=root, env=env)
            assert bad.returncode == 1, bad.stdout + bad.stderr
            assert agency.hits, "the source was fetched from the agency server"
            check = run("catalog", "check", "--json", root=root)
        mails = [m.as_string() for m in inbox.messages]
        hooks = [
            json.dumps(r["json"], ensure_ascii=False) + r["body"].decode() for r in hook.requests
        ]
    assert len(mails) == 2 and len(hooks) == 2  # success, then failure (with attachments)
    assert any("bao-cao-kiem-tra.json" in m for m in mails)

    # published on the portal: every resource of the dataset, downloaded
    pkg = portal.ckan("sysadmin").action.package_show(id=DATASET)
    published: dict[str, str] = {"package_show": json.dumps(pkg, ensure_ascii=False)}
    for res in pkg["resources"]:
        body = httpx.get(res["url"], timeout=60, follow_redirects=True)
        assert body.status_code == 200, res["url"]
        published[res["name"]] = body.text
    names = " ".join(published)
    assert "validation-report" in " ".join(r["url"] for r in pkg["resources"]), names
    report_json = next(t for n, t in published.items() if n != "package_show" and '"findings"' in t)
    report = json.loads(report_json)
    assert report["file"].startswith("http://127.0.0.1:")  # the source, without user:password
    assert "access_token=***" in report["file"]
    for name, text in published.items():
        assert leaked(text) == [], f"published {name} shows a credential"

    # local: reports, quarantine, history, the http cache's metadata — every file of the work dir
    files = [p for p in work.rglob("*") if p.is_file()]
    assert any(p.name == "runs.jsonl" for p in files)
    assert any("quarantine" in p.parts for p in files)
    for path in files:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert leaked(text) == [], f"{path.relative_to(work)} shows a credential"

    for text in mails + hooks + [ok.stdout, ok.stderr, bad.stdout, bad.stderr]:
        assert leaked(text) == []
    artifacts = prefect_artifacts()
    assert "Kiểm tra dữ liệu" in artifacts  # the validation artifacts were written
    assert leaked(artifacts) == []

    # catalog check: a warning naming the field, pointing to ${VAR}, without the secret
    problems = json_out(check)
    problems = problems.get("problems", problems) if isinstance(problems, dict) else problems
    warned = [p for p in problems if p["path"] == "source.url" and p["severity"] == "warning"]
    assert warned and "${VAR}" in warned[0]["message"], problems
    assert leaked(check.stdout + check.stderr) == []


@pytest.mark.slow
def test_catalog_check_is_quiet_about_variables(root: Path) -> None:
    def templated(d: dict) -> None:
        d["source"]["url"] = (
            "https://${SXD_USER}:${SXD_PASSWORD}@sxd.example.vn/x.csv?access_token=${SXD_TOKEN}"
        )
        d["source"]["headers"] = {"Authorization": "Bearer ${SXD_TOKEN}"}

    edit_spec(root, DATASET, templated)
    problems = json_out(run("catalog", "check", "--json", root=root))
    problems = problems.get("problems", problems) if isinstance(problems, dict) else problems
    assert not [p for p in problems if p["path"].startswith("source.")], problems


@pytest.mark.slow
def test_catalog_check_warns_about_a_literal_header(root: Path) -> None:
    edit_spec(
        root, DATASET, lambda d: d["source"].update(headers={"Authorization": f"Bearer {TOKEN}"})
    )
    proc = run("catalog", "check", "--json", root=root)
    problems = json_out(proc)
    problems = problems.get("problems", problems) if isinstance(problems, dict) else problems
    assert [p["path"] for p in problems if p["severity"] == "warning"] == [
        "source.headers.Authorization"
    ], problems
    assert TOKEN not in proc.stdout
