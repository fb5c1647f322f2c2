"""A run that never reached its end still leaves one record and one notice.

A run records itself in ``run_dataset`` when it ends. A run that does not end — its process
killed by the kernel (out of memory), its worker or machine lost, or cancelled — is recorded
here instead, by whichever sees it first:

- the flow's state hooks (``on_crashed``, ``on_cancellation``): run by the worker when the
  flow's process dies under it, or by the flow's own process on cancellation;
- the Prefect automations that ``dulieumo schedule --work-pool`` creates: one turns a run
  whose heartbeats stopped (its machine is gone) into ``Crashed``; another runs the
  deployment ``record-crash/dulieumo-crash-notice`` on any surviving worker for every
  crashed or cancelled run of ours.

Both call ``record_crash``, which writes through ``history.append_once``: the check, the
notice and the record happen under one lock, so a crash seen twice gives one notice and one
record. A dataset that already has a record from that flow run (it finished before the
crash) gets none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow

from dulieumo import history
from dulieumo.catalog import Catalog, load_catalog
from dulieumo.paths import catalog_root
from dulieumo.runstatus import RunStatus
from notify import notify_run

CRASHED = "run-crashed"
CANCELLED = "run-cancelled"
DATASET_FLOW = "publish-dataset"
CATALOG_FLOW = "publish-catalog"


def _datasets_of(flow_name: str, params: dict[str, Any], catalog: Catalog) -> list[str]:
    if flow_name == DATASET_FLOW or params.get("dataset"):
        return [str(params["dataset"])] if params.get("dataset") else []
    return [str(n) for n in (params.get("datasets") or catalog.names())]


def _organization(catalog: Catalog, name: str) -> str:
    try:
        return catalog.get(name).organization
    except Exception:  # a spec broken since: the record still names the dataset
        return ""


def crash_records(
    flow_run: Any, state: Any, flow_name: str, catalog: Catalog
) -> list[history.RunRecord]:
    """The records a crashed or cancelled flow run leaves, one per dataset it was running."""
    cancelled = bool(getattr(state, "is_cancelled", lambda: False)())
    code = CANCELLED if cancelled else CRASHED
    what = "was cancelled" if cancelled else "crashed"
    detail = (getattr(state, "message", None) or "").strip()
    params = dict(getattr(flow_run, "parameters", None) or {})
    started = getattr(flow_run, "start_time", None) or getattr(flow_run, "created", None)
    out = []
    for name in _datasets_of(flow_name, params, catalog):
        out.append(
            history.RunRecord(
                name,
                _organization(catalog, name),
                RunStatus.FAILED,
                started.replace(microsecond=0).isoformat() if started else history.now_utc(),
                history.now_utc(),
                reason=f"The run {what} before it finished"
                + (f" ({detail})" if detail else "")
                + "; nothing was published by it, the live release is unchanged.",
                error_code=code,
                transient=not cancelled,
                trigger=trigger_of(flow_run, params.get("trigger")),
                flow_run_id=str(flow_run.id),
            )
        )
    return out


def trigger_of(flow_run: Any, given: Any = None) -> str:
    """How a flow run came to be: retry (a second attempt of the same flow run), schedule
    (created by Prefect's scheduler from a deployment's schedule), else what the caller
    said (the CLI: manual, nightly), else manual (a `prefect deployment run`, the UI)."""
    if int(getattr(flow_run, "run_count", 0) or 0) > 1:
        return "retry"
    if getattr(flow_run, "auto_scheduled", False):
        return "schedule"
    return str(given) if given else "manual"


def record_crash(flow_run: Any, state: Any, flow_name: str, root: str | None = None) -> int:
    """Record and notify each dataset of a crashed or cancelled run once; how many it did."""
    params = dict(getattr(flow_run, "parameters", None) or {})
    catalog = load_catalog(Path(root or params.get("root") or catalog_root()))
    done = 0
    for record in crash_records(flow_run, state, flow_name, catalog):

        def notify(rec: history.RunRecord) -> None:
            try:
                rec.notifications = notify_run(rec, catalog)
            except Exception as exc:  # a notification problem never loses the record
                rec.notifications = [
                    {"channel": "all", "ok": False, "error": f"notifications failed: {exc}"}
                ]

        done += history.append_once(record, notify)
    return done


def on_crash_hook(flow: Any, flow_run: Any, state: Any) -> None:
    """The flow's on_crashed / on_cancellation hook."""
    record_crash(flow_run, state, getattr(flow, "name", ""))


@flow(name="record-crash", log_prints=True)
def record_crash_flow(flow_run_id: str) -> int:
    """Run by the automation NOTICE (flows/automations.py) for a crashed or cancelled run."""
    from uuid import UUID

    from prefect import get_client

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(flow_run_id))
        flow_name = client.read_flow(run.flow_id).name
    if run.state is None or not (run.state.is_crashed() or run.state.is_cancelled()):
        print(f"Flow run {flow_run_id} is {run.state_name}: nothing to record.")
        return 0
    done = record_crash(run, run.state, flow_name)
    print(f"Recorded {done} crashed or cancelled dataset run(s) of {flow_run_id} ({flow_name}).")
    return done
