"""Several machines, on one: a Prefect server, a process work pool with a concurrency limit and
two workers, each with its own work folder and nothing on disk in common (the run history is a
PostgreSQL database of ours), deployments registered by `dulieumo schedule --work-pool`.

One scenario, end to end (`make test-scale`): one dataset runs by its schedule, two by hand
(`prefect deployment run`); the source of one of them stalls, and the worker running it is
killed with its flow process (a machine lost). The test sees the runs spread over both
workers, the pool limit held, a crash notice and a crash record from the automation, the next
run of the killed dataset publishing it, every dataset published once, and the same history
from both "machines".
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.catalog import CORE_DATASETS, REPO_ROOT, copy_catalog, edit_spec
from tests.support.cli import json_out, run
from tests.support.pgdb import scratch_database
from tests.support.servers import free_port, set_notify, webhook_receiver

pytestmark = [pytest.mark.slow, pytest.mark.scale]

BIN = Path(sys.executable).parent
POOL = "dulieumo"  # the pool prefect.yaml names
SCHEDULED = "co-so-kham-chua-benh"  # runs by its schedule (every minute, paused after one)
BY_HAND = "co-so-giao-duc"  # `prefect deployment run`
KILLED = "co-so-luu-tru"  # its source stalls; its worker is killed mid-run
HEARTBEAT_S = 30  # Prefect's floor
LOST_AFTER_S = 65
TZ = "Asia/Ho_Chi_Minh"


# ------------------------------------------------------------------ helpers


@dataclass
class Stall:
    """An agency server whose first answer for the file hangs until released."""

    body: bytes
    url: str = ""
    hits: int = 0
    release: threading.Event = field(default_factory=threading.Event)


@contextmanager
def stalling_source(csv: Path) -> Iterator[Stall]:
    stall = Stall(csv.read_bytes())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stall.hits += 1
            if stall.hits == 1:
                stall.release.wait(timeout=540)
            self.send_response(200)
            self.send_header("Content-Type", "text/csv; charset=utf-8")
            self.send_header("Content-Length", str(len(stall.body)))
            self.end_headers()
            try:
                self.wfile.write(stall.body)
            except OSError:  # the killed run's connection is gone
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stall.url = f"http://127.0.0.1:{server.server_address[1]}/files/co-so-luu-tru.csv"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stall
    finally:
        stall.release.set()
        server.shutdown()
        server.server_close()


def wait_for(what: str, check: Callable[[], Any], timeout: float, every: float = 2.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(every)


class Api:
    def __init__(self, url: str) -> None:
        self.url = url

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        resp = httpx.post(f"{self.url}{path}", json=body or {}, timeout=30)
        resp.raise_for_status()
        return resp.json() if resp.content else None

    def get(self, path: str) -> Any:
        resp = httpx.get(f"{self.url}{path}", timeout=30)
        resp.raise_for_status()
        return resp.json()

    def deployments(self) -> dict[str, dict[str, Any]]:
        return {
            f"{self.get('/flows/' + d['flow_id'])['name']}/{d['name']}": d
            for d in self.post("/deployments/filter")
        }

    def runs(self) -> list[dict[str, Any]]:
        return list(self.post("/flow_runs/filter", {"limit": 200}))


def kill_tree(proc: subprocess.Popen[bytes], child_pid: int | None) -> None:
    """A machine lost: the worker and the flow process it started, without a chance to react."""
    for pid in (child_pid, proc.pid):
        if pid:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except ProcessLookupError:
                pass
    proc.wait(timeout=30)


def max_overlap(spans: list[tuple[float, float]]) -> int:
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
    best = cur = 0
    for _, step in events:
        cur += step
        best = max(best, cur)
    return best


def ts(value: str) -> float:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


# ------------------------------------------------------------------ the scenario


@pytest.mark.timeout(1500)  # ~6 min on a quiet 2-core machine; far more when it is shared
def test_two_workers_share_one_history_and_a_lost_machine_notifies(
    tmp_path: Path, portal: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    portal.reset()
    root = copy_catalog(tmp_path / "catalog", only=CORE_DATASETS)
    started = time.monotonic()
    with (
        stalling_source(root / "samples" / "so-du-lich" / "co-so-luu-tru.csv") as stall,
        webhook_receiver() as hook,
        scratch_database("dulieumo_scale_history") as history_url,
    ):
        edit_spec(
            root,
            KILLED,
            lambda d: d.__setitem__("source", {"type": "http", "url": stall.url, "timeout_s": 600}),
        )
        edit_spec(
            root,
            SCHEDULED,
            lambda d: d.__setitem__("schedule", {"cron": "* * * * *", "timezone": TZ}),
        )
        set_notify(root, "so-du-lich", {"webhook": hook.url})

        # ---- the server machine
        port = free_port()
        api = Api(f"http://127.0.0.1:{port}/api")
        server_home = tmp_path / "server"
        server_home.mkdir()
        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PREFECT_", "DULIEUMO_WORK_DIR", "DULIEUMO_HISTORY_URL"))
        }
        base_env |= {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            stdout=(server_home / "server.log").open("wb"),
            stderr=subprocess.STDOUT,
            env={**base_env, "PREFECT_HOME": str(server_home)},
            start_new_session=True,
        )
        workers: dict[str, subprocess.Popen[bytes]] = {}
        try:
            wait_for("the Prefect server", lambda: _healthy(api.url), 180, 1)
            common = {
                **base_env,
                "PREFECT_API_URL": api.url,
                "DULIEUMO_ROOT": str(root),
                "DULIEUMO_HOME": str(REPO_ROOT),
                "DULIEUMO_HISTORY_URL": history_url,
                "CKAN_URL": portal.url,
                "CKAN_API_TOKEN": portal.token("sysadmin"),
                "DULIEUMO_RETRY_DELAYS": "0.2,0.2",
                "DULIEUMO_MAX_PARALLEL": "2",
            }

            admin = {**common, "PREFECT_HOME": str(tmp_path / "admin")}

            def prefect(*args: str) -> subprocess.CompletedProcess[str]:
                proc = subprocess.run(
                    [str(BIN / "prefect"), *args],
                    capture_output=True,
                    text=True,
                    env=admin,
                    cwd=REPO_ROOT,
                    timeout=300,
                )
                assert proc.returncode == 0, (args, proc.stdout[-3000:] + proc.stderr[-3000:])
                return proc

            # ---- registration: the one command for every deployment
            reg = run(
                "schedule",
                "--work-pool",
                POOL,
                "--json",
                env={
                    **common,
                    "PREFECT_HOME": str(tmp_path / "admin"),
                    "DULIEUMO_LOST_RUN_AFTER": str(LOST_AFTER_S),
                },
            )
            assert reg.returncode == 0, reg.stderr[-3000:]
            by_schedule = api.deployments()
            pool = api.get(f"/work_pools/{POOL}")
            assert pool["concurrency_limit"] == 2  # DULIEUMO_MAX_PARALLEL, across all workers
            # ---- two worker machines: own home, own work folder
            for name in ("a", "b"):
                home = tmp_path / f"machine-{name}"
                home.mkdir()
                env = {
                    **common,
                    "PREFECT_HOME": str(home / "prefect"),
                    "DULIEUMO_WORK_DIR": str(home / "work"),
                    "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_S),
                    "PREFECT_WORKER_QUERY_SECONDS": "2",
                    "PREFECT_WORKER_PREFETCH_SECONDS": "2",
                }
                workers[name] = subprocess.Popen(
                    [
                        str(BIN / "prefect"),
                        "worker",
                        "start",
                        "--pool",
                        POOL,
                        "--name",
                        f"worker-{name}",
                    ],
                    stdout=(home / "worker.log").open("wb"),
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=home,
                    start_new_session=True,
                )

            # ---- the Prefect CLI on the same project: the same definitions, no clash
            prefect("--no-prompt", "deploy", "--all")
            deps = api.deployments()
            assert set(deps) == {
                *(f"publish-dataset/{n}" for n in CORE_DATASETS),
                "publish-catalog/dulieumo-all",
                "record-crash/dulieumo-crash-notice",
            }
            for name, dep in by_schedule.items():  # the same definition, whoever registered last
                if "dulieumo-dataset" in dep["tags"]:
                    continue
                again = deps[name]
                for key in ("entrypoint", "pull_steps", "work_pool_name", "parameters"):
                    assert again[key] == dep[key], (name, key, dep[key], again[key])
            for dep in deps.values():  # a worker on a fresh machine: pull step, no secrets
                assert dep["pull_steps"] == [
                    {
                        "prefect.deployments.steps.set_working_directory": {
                            "directory": str(REPO_ROOT)
                        }
                    }
                ]
                assert portal.token("sysadmin") not in json.dumps(dep)
            assert deps[f"publish-dataset/{KILLED}"]["parameters"] == {"dataset": KILLED}
            assert sorted(json_out(reg)["automations"]) == [
                "dulieumo: crashed or cancelled runs are recorded",
                "dulieumo: lost runs are crashed",
            ]
            # ---- by hand, as an operator would
            for name in (KILLED, BY_HAND):
                prefect("deployment", "run", f"publish-dataset/{name}")
                if name == KILLED:  # its source is reached: it runs now, somewhere
                    wait_for("the stalled source to be asked", lambda: stall.hits >= 1, 240)

            # ---- the machine running the stalled run is lost
            killed_run = _run_of(api, KILLED)
            machine = _machine_of(killed_run, workers)
            survivor = "b" if machine == "a" else "a"
            # by schedule: the first run of the every-minute cron completes, then pause it
            wait_for(
                "the scheduled run to finish",
                lambda: _finished(api, SCHEDULED, auto=True),
                240,
            )
            _pause(api, deps[f"publish-dataset/{SCHEDULED}"]["id"])
            wait_for("the run by hand to finish", lambda: _finished(api, BY_HAND), 240)
            kill_tree(workers[machine], int(killed_run["infrastructure_pid"].split(":")[-1]))
            stall.release.set()  # the agency answers again: the next run gets the file

            # the automation marks the lost run Crashed; the notice runs on the survivor
            wait_for(
                "the lost run to be marked Crashed",
                lambda: _state(api, killed_run["id"]) == "CRASHED",
                LOST_AFTER_S + 150,
            )
            wait_for("the crash notice", lambda: hook.delivered, 240)

            # ---- the next run of the killed dataset publishes it (on the survivor)
            prefect("deployment", "run", f"publish-dataset/{KILLED}")
            wait_for("the next run of the killed dataset", lambda: _published(KILLED, common), 300)
            elapsed = time.monotonic() - started
            assert "dulieumo-all" in prefect("deployment", "ls").stdout
            prefect("artifact", "ls")

            # ---- what the test sees
            records = _history(common, tmp_path / "machine-a")
            crash = [r for r in records if r["error_code"] == "run-crashed"]
            assert len(crash) == 1, crash  # one record of the crash …
            assert crash[0]["dataset"] == KILLED
            assert crash[0]["flow_run_id"] == killed_run["id"]
            assert crash[0]["trigger"] == "manual"
            notices = [r for r in hook.delivered if r["json"]["dataset"] == KILLED]
            assert len(notices) == 1, notices  # … and one notice
            notice = notices[0]["json"]
            assert notice["event"] == "run.failed" and notice["run_id"] == killed_run["id"]
            assert "dừng đột ngột" in notice["reason"]
            assert crash[0]["notifications"][0]["ok"] is True

            published = [r for r in records if r["status"] == "published"]
            assert sorted(r["dataset"] for r in published) == sorted(CORE_DATASETS)  # once each
            triggers = {r["dataset"]: r["trigger"] for r in published}
            assert triggers == {SCHEDULED: "schedule", BY_HAND: "manual", KILLED: "manual"}
            for name in CORE_DATASETS:
                pkg = portal.ckan("sysadmin").action.package_show(id=name)
                assert pkg["version"] == "1.0.0", (name, pkg["version"])

            # spread: the lost machine ran the killed run; the survivor its next run
            ran = {
                m: sorted(p.name for p in (tmp_path / f"machine-{m}" / "work" / "runs").glob("*"))
                for m in ("a", "b")
            }
            assert KILLED in ran[machine] and KILLED in ran[survivor], ran
            assert ran[machine] and ran[survivor]

            # the pool's limit held across both workers
            spans = [
                (ts(r["start_time"]), ts(r["end_time"]))
                for r in api.runs()
                if r["start_time"] and r["end_time"]
            ]
            assert len(spans) >= 5  # 3 datasets + the rerun + the crash notice
            assert max_overlap(spans) <= 2, spans

            # one history: the same from either machine (status and the leadership report)
            views = [_views(monkeypatch, common, tmp_path / f"machine-{m}") for m in "ab"]
            assert views[0] == views[1]
            status, indicators = views[0]
            assert status[KILLED]["status"] == "published"
            assert status[KILLED]["release"] == "1.0.0"
            assert any(item["denominator"] for item in indicators.values()), indicators
            _save_figures(tmp_path, ran, machine, elapsed, records)
        finally:
            for proc in [*workers.values(), server]:
                if proc.poll() is None:
                    os.killpg(os.getpgid(proc.pid), signal.SIGTERM)
                    try:
                        proc.wait(timeout=20)
                    except subprocess.TimeoutExpired:
                        os.killpg(os.getpgid(proc.pid), signal.SIGKILL)


# ------------------------------------------------------------------ readings


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _run_of(api: Api, dataset: str) -> dict[str, Any]:
    def running() -> dict[str, Any] | None:
        for r in api.runs():
            if (
                (r.get("parameters") or {}).get("dataset") == dataset
                and r["state_type"] == "RUNNING"
                and r.get("infrastructure_pid")
            ):
                return r
        return None

    found: dict[str, Any] = wait_for(f"{dataset} to be running", running, 120, 1)
    return found


def _machine_of(run: dict[str, Any], workers: dict[str, subprocess.Popen[bytes]]) -> str:
    """Which worker started the flow process (its parent)."""
    pid = int(run["infrastructure_pid"].split(":")[-1])
    ppid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    for name, proc in workers.items():
        if ppid == proc.pid:
            return name
    raise AssertionError(f"flow process {pid} (parent {ppid}) belongs to no worker")


def _finished(api: Api, dataset: str, auto: bool | None = None) -> bool:
    return any(
        (r.get("parameters") or {}).get("dataset") == dataset
        and r["state_type"] == "COMPLETED"
        and (auto is None or r["auto_scheduled"] == auto)
        for r in api.runs()
    )


def _pause(api: Api, deployment_id: str) -> None:
    httpx.patch(
        f"{api.url}/deployments/{deployment_id}", json={"paused": True}, timeout=30
    ).raise_for_status()


def _state(api: Api, run_id: str) -> str:
    return str(api.get(f"/flow_runs/{run_id}")["state_type"])


def _history(env: dict[str, str], home: Path) -> list[dict[str, Any]]:
    code = (
        "import json; from dulieumo import history; "
        "print(json.dumps([r.to_dict() for r in history.read()], default=str))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "DULIEUMO_WORK_DIR": str(home / "work")},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return list(json.loads(proc.stdout))


def _published(dataset: str, env: dict[str, str]) -> bool:
    import psycopg2

    conn = psycopg2.connect(env["DULIEUMO_HISTORY_URL"])
    try:
        with conn, conn.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM dulieumo_runs WHERE dataset = %s "
                "AND record->>'status' = 'published'",
                (dataset,),
            )
            row = cur.fetchone()
    finally:
        conn.close()
    return bool(row and row[0])


def _views(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], home: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """`dulieumo status` and the leadership report's indicators as one machine sees them
    (its own work folder, the shared history), computed the way the CLI does."""
    from app.report.build import build_report
    from app.report.period import parse_period
    from dulieumo import history
    from dulieumo.catalog import load_catalog
    from flows.status import collect_status

    for key, value in env.items():
        if key.startswith(("DULIEUMO_", "CKAN_")):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("DULIEUMO_WORK_DIR", str(home / "work"))
    status = {
        r["dataset"]: {
            "status": r["last_attempt"]["status"] if r["last_attempt"] else None,
            "at": r["last_attempt"]["at"] if r["last_attempt"] else None,
            "trigger": r["last_attempt"]["trigger"] if r["last_attempt"] else None,
            "release": r["last_release"]["version"] if r["last_release"] else None,
        }
        for r in collect_status([])
    }
    period = parse_period(dt.date.today().strftime("%Y-%m"))
    report = build_report(period, load_catalog(Path(env["DULIEUMO_ROOT"])), history.read(), None)
    return status, report["indicators"]


def _save_figures(
    tmp: Path, ran: dict[str, list[str]], lost: str, elapsed: float, records: list[Any]
) -> None:
    """What ran where, for the closing note (printed with -s; kept beside the test's files)."""
    text = json.dumps(
        {
            "ran": ran,
            "lost_machine": lost,
            "seconds": round(elapsed, 1),
            "records": [(r["dataset"], r["status"], r["trigger"]) for r in records],
        },
        ensure_ascii=False,
    )
    (tmp / "figures.json").write_text(text, encoding="utf-8")
    print(text)
