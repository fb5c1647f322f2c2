"""Bad input and faults: a clear message, a non-zero exit, and nothing changed on the portal."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.catalog import copy_catalog, edit_spec, spec_file, write_rows
from tests.support.cli import json_out, run, snapshot

DATASET = "co-so-kham-chua-benh"


@pytest.fixture(scope="module")
def baseline(portal):
    """The last good release: published once, then every fault must leave it as it is."""
    portal.reset()
    proc = run("publish", DATASET, "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return snapshot(portal.ckan("sysadmin"))


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path)


def _source(root: Path) -> Path:
    import yaml

    spec = yaml.safe_load(spec_file(root, DATASET).read_text(encoding="utf-8"))
    return root / spec["source"]["path"]


def _rows(root: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = _source(root).read_bytes()
    text = raw.decode("utf-8-sig") if not raw.startswith(b"\xff") else raw.decode()
    reader = csv.DictReader(io.StringIO(text))
    return list(reader.fieldnames or []), list(reader)


def _write(root: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    write_rows(_source(root), header, rows)
    edit_spec(root, DATASET, lambda d: d["source"].__setitem__("encoding", "auto"))


def _schema(root: Path) -> dict:
    import yaml

    spec = yaml.safe_load(spec_file(root, DATASET).read_text(encoding="utf-8"))
    return json.loads((root / spec["schema"]).read_text(encoding="utf-8"))


def _field(root: Path, **match: object) -> dict:
    for f in _schema(root)["fields"]:
        if all(
            f.get(k) == v or (k == "constraint" and v in f.get("constraints", {}))
            for k, v in match.items()
        ):
            return f
    raise AssertionError(f"no field like {match}")


def _unchanged(portal, baseline) -> None:
    assert snapshot(portal.ckan("sysadmin")) == baseline


def _could_not_run(proc, *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr[-2000:])
    text = proc.stderr + proc.stdout
    assert "Traceback" not in text
    for needle in needles:
        assert needle in text, (needle, text[-2000:])


# --------------------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (lambda d: d.pop("title"), ["co-so-kham-chua-benh.yaml", "title"]),
        (lambda d: d.__setitem__("maintainer", "không phải bảng"), ["maintainer"]),
        (
            lambda d: d.__setitem__("organization", "so-khong-ton-tai"),
            ["so-khong-ton-tai", "organization"],
        ),
    ],
    ids=["missing-field", "wrong-type", "unknown-organisation"],
)
def test_malformed_spec(portal, baseline, root, change, needles):
    edit_spec(root, DATASET, change)
    proc = run("publish", DATASET, root=root)
    _could_not_run(proc, *needles)
    _unchanged(portal, baseline)


# --------------------------------------------------------------------------- sources


def test_missing_source_file(portal, baseline, root):
    edit_spec(root, DATASET, lambda d: d["source"].__setitem__("path", "samples/khong-co.csv"))
    proc = run("publish", DATASET, root=root)
    _could_not_run(proc, "khong-co.csv")
    _unchanged(portal, baseline)


class _Agency(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            time.sleep(3)
        if self.path.startswith("/404"):
            self.send_error(404)
            return
        if self.path.startswith("/500"):
            self.send_error(500)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def agency_server(root) -> Iterator[str]:
    _Agency.body = _source(root).read_bytes()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Agency)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _http_source(root: Path, url: str) -> None:
    def change(d: dict) -> None:
        d["source"] = {"type": "http", "url": url, "timeout_s": 1}

    edit_spec(root, DATASET, change)


@pytest.mark.parametrize(
    ("path", "needle"),
    [("/404/data.csv", "404"), ("/500/data.csv", "500"), ("/slow/data.csv", "")],
    ids=["404", "500", "timeout"],
)
def test_source_server_failures(portal, baseline, root, agency_server, path, needle):
    _http_source(root, agency_server + path)
    proc = run("publish", DATASET, root=root)
    _could_not_run(proc, needle, "127.0.0.1")
    _unchanged(portal, baseline)


def test_http_source_that_works_is_published(portal, baseline, root, agency_server):
    _http_source(root, agency_server + "/ok/data.csv")
    proc = run("publish", DATASET, "--dry-run", "--json", root=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json_out(proc)
    # the same bytes over HTTP: not one row changes; only the public description of the
    # source does (a PATCH of metadata), and it never names the private host
    assert out["status"] == "planned", out
    plan = out["result"]["plan"]
    assert plan["rows"]["unchanged"] > 0
    assert (plan["rows"]["added"], plan["rows"]["removed"], plan["rows"]["changed"]) == (0, 0, 0)
    assert set(plan["metadata_diff"]) == {"source_name"}
    assert "127.0.0.1" not in json.dumps(plan["metadata_diff"])


def test_file_in_an_undeclared_encoding(portal, baseline, root):
    header, rows = _rows(root)
    text_field = _field(root, type="string")["name"]
    rows[0][text_field] = "Bệnh viện Đa khoa Hạ Long"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=header, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    _source(root).write_bytes(buf.getvalue().encode("cp1258", errors="replace"))
    edit_spec(root, DATASET, lambda d: d["source"].__setitem__("encoding", "utf-8"))
    proc = run("publish", DATASET, root=root)
    assert proc.returncode != 0
    text = proc.stderr + proc.stdout
    assert "utf-8" in text.lower() and "Traceback" not in text
    _unchanged(portal, baseline)


# --------------------------------------------------------------------------- content


def _findings(proc) -> dict[str, int]:
    assert proc.returncode == 1, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    out = json_out(proc)
    assert out["status"] == "invalid"
    return out["findings"]


def test_missing_extra_and_renamed_columns(portal, baseline, root):
    header, rows = _rows(root)
    dropped, renamed = header[-1], header[1]
    new_header = [h if h != renamed else renamed + "_moi" for h in header if h != dropped]
    new_header.append("cot_thua")
    new_rows = [
        {(k if k != renamed else renamed + "_moi"): v for k, v in r.items()} | {"cot_thua": "x"}
        for r in rows
    ]
    _write(root, new_header, new_rows)
    found = _findings(run("publish", DATASET, "--json", root=root))
    assert found.get("missing-label", 0) >= 1 or found.get("incorrect-label", 0) >= 1
    assert found.get("extra-label", 0) >= 1 or found.get("incorrect-label", 0) >= 1
    _unchanged(portal, baseline)


def test_rows_breaking_type_constraint_uniqueness_and_foreign_key(portal, baseline, root):
    header, rows = _rows(root)
    schema = _schema(root)
    int_field = next(
        f
        for f in schema["fields"]
        if f.get("type") == "integer" and "minimum" in f.get("constraints", {})
    )
    pk = schema["primaryKey"]
    pk = pk if isinstance(pk, list) else [pk]
    fk = schema["foreignKeys"][0]
    fk_field = fk["fields"] if isinstance(fk["fields"], str) else fk["fields"][0]
    rows[1][int_field["name"]] = "khong-phai-so"
    rows[2][int_field["name"]] = str(int(int_field["constraints"]["minimum"]) - 1)
    for key in pk:
        rows[4][key] = rows[3][key]
    rows[5][fk_field] = "99999"
    _write(root, header, rows)
    proc = run("publish", DATASET, "--json", root=root)
    found = _findings(proc)
    assert found.get("type-error", 0) >= 1
    assert found.get("constraint-minimum", 0) >= 1
    assert found.get("primary-key", 0) >= 1
    assert found.get("foreign-key", 0) >= 1
    report = json.loads(Path(json_out(proc)["report_path"]).read_text(encoding="utf-8"))
    located = {(f["code"], f["row"], f["field"]) for f in report["findings"]}
    assert ("type-error", 3, int_field["name"]) in located  # header is row 1
    assert ("foreign-key", 7, fk_field) in located or any(
        c == "foreign-key" and r == 7 for c, r, _ in located
    )
    _unchanged(portal, baseline)


@pytest.mark.slow
def test_validate_command_exit_codes(root):
    assert run("validate", DATASET, root=root).returncode == 0
    header, rows = _rows(root)
    int_field = _field(root, type="integer")["name"]
    rows[0][int_field] = "abc"
    _write(root, header, rows)
    proc = run("validate", DATASET, "--json", root=root)
    assert proc.returncode == 1
    assert json_out(proc)["counts"]["type-error"] == 1
    assert run("validate", "khong-ton-tai", root=root).returncode == 2


# --------------------------------------------------------------------------- portal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_portal_unreachable(portal, baseline):
    url = f"http://127.0.0.1:{_free_port()}"
    proc = run("publish", DATASET, env={"CKAN_URL": url, "CKAN_API_TOKEN": "x" * 40})
    _could_not_run(proc, url, "could not be reached")
    _unchanged(portal, baseline)


def test_invalid_token(portal, baseline):
    secret = "khong-hop-le-" + "z" * 30
    proc = run("publish", DATASET, env={"CKAN_URL": portal.url, "CKAN_API_TOKEN": secret})
    _could_not_run(proc, "API token is invalid", DATASET)
    assert secret not in proc.stdout + proc.stderr
    _unchanged(portal, baseline)


def test_token_without_permission_on_the_organisation(portal, baseline):
    admin = portal.ckan("sysadmin")
    name = "bien-tap-vien-khac"
    try:
        admin.action.user_show(id=name)
    except Exception:
        admin.action.user_create(
            name=name, email=f"{name}@example.org", password="mat-khau-rat-dai-123"
        )
    other_org = next(o for o in admin.action.organization_list() if o != "so-y-te")
    admin.action.organization_member_create(id=other_org, username=name, role="editor")
    token = admin.action.api_token_create(user=name, name="thu-nghiem")["token"]
    proc = run("publish", DATASET, env={"CKAN_URL": portal.url, "CKAN_API_TOKEN": token})
    _could_not_run(proc, "no editor right on the organisation 'so-y-te'", DATASET)
    assert token not in proc.stdout + proc.stderr
    _unchanged(portal, baseline)
