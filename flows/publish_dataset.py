"""The main flow: pull → validate → publish one dataset, as Prefect tasks.

Runs on Prefect's embedded local server by default (no server to set up). Transient failures
(network, 5xx, timeouts) are retried with backoff; terminal ones fail at once with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from dulieumo import history
from dulieumo.catalog import Catalog, DatasetSpec, load_catalog
from dulieumo.errors import DulieumoError, TransientError
from dulieumo.paths import catalog_root, run_dir
from dulieumo.runstatus import RunStatus, validation_failed_reason
from notify import notify_run
from portal.target import portal_target
from publish.ahead import DiffAhead, diff_ahead
from publish.ahead import start as start_ahead
from publish.client import PortalClient
from publish.releases import PublishResult, Releaser
from publish.retention import RetentionPolicy
from pull import Fetched, PulledTable, fetch_source, finish_pull
from validate import Report
from validate.formula import protect
from validate.html import render
from validate.run import quarantine_run, validate_run

from .crash import on_crash_hook, trigger_of
from .inputs import input_fingerprint
from .previous import previous_release
from .quiet import quiet_known_errors
from .retry import RETRY_DELAYS_S, only_transient

quiet_known_errors()


@dataclass
class RunOutcome:
    """What one run did, for the CLI (`--json`) and the summary of a nightly run."""

    dataset: str
    status: RunStatus
    report_path: str | None = None
    table_path: str | None = None  # the validated, normalised CSV (what is uploaded)
    result: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    findings: dict[str, int] = field(default_factory=dict)
    quarantine_path: str | None = None  # where a rejected run's input and reports are kept


# No task caches its result: the inputs hold open sources (a hash being computed, the pages of
# an API read as they come), which Prefect's cache key would serialise and so consume.
@task(
    name="pull",
    cache_policy=NO_CACHE,
    retries=len(RETRY_DELAYS_S),
    retry_delay_seconds=RETRY_DELAYS_S,
    retry_condition_fn=only_transient,
)
def pull_task(spec: DatasetSpec, root: Path, workdir: Path) -> Fetched:
    """Fetch the source; nothing is parsed yet (see `unchanged_task`)."""
    fetched = fetch_source(spec, root=root, workdir=workdir)
    get_run_logger().info("Fetched %s", fetched.raw.uri)
    return fetched


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_task(fetched: Fetched) -> PulledTable:
    table = finish_pull(fetched)
    get_run_logger().info(
        "Pulled %s (%s, %d bytes, sha256 %s…)",
        table.source_uri,
        table.encoding,
        table.size,
        table.raw_sha256[:12],
    )
    return table


@task(
    name="unchanged",
    cache_policy=NO_CACHE,
    retries=len(RETRY_DELAYS_S),
    retry_delay_seconds=RETRY_DELAYS_S,
    retry_condition_fn=only_transient,
)
def unchanged_task(spec: DatasetSpec, catalog: Catalog, inputs: str) -> PublishResult | None:
    """ "unchanged" from the inputs' hash alone, before the file is parsed (or None)."""
    client = PortalClient(portal_target())
    result = Releaser(client, spec, catalog.portal, workdir=Path()).unchanged_inputs(inputs)
    if result is not None:
        get_run_logger().info("%s: unchanged %s (same inputs)", spec.name, result.version)
    return result


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(
    table: PulledTable, spec: DatasetSpec, root: Path, workdir: Path, catalog: Catalog | None = None
) -> Report:
    previous = previous_release(spec, root=root, workdir=workdir, catalog=catalog)
    report = validate_run(
        table.path, spec, root=root, workdir=workdir, catalog=catalog, previous=previous
    ).report
    get_run_logger().info(
        "Validated %s: %d rows, %d error(s)", spec.name, report.rows, report.error_count
    )
    return report


@task(
    name="publish",
    cache_policy=NO_CACHE,
    retries=len(RETRY_DELAYS_S),
    retry_delay_seconds=RETRY_DELAYS_S,
    retry_condition_fn=only_transient,
)
def publish_task(
    spec: DatasetSpec,
    catalog: Catalog,
    table: PulledTable,
    report: Report,
    root: Path,
    workdir: Path,
    dry_run: bool,
    approve_major: bool = False,
    inputs: str | None = None,
    ahead: Future[DiffAhead | None] | None = None,
) -> PublishResult:
    client = PortalClient(portal_target())
    schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    releaser = Releaser(
        client, spec, catalog.portal, workdir=workdir, flow_run_id=flow_run.get_id()
    )
    releaser.ahead = ahead
    result = releaser.publish(
        table,
        report,
        schema,
        dry_run=dry_run,
        approve_major=approve_major or spec.approve_major,
        retention=retention_policy(spec),
        html=lambda version: render(report, table=table.path, version=version).encode("utf-8"),
        inputs=inputs,
    )
    get_run_logger().info("%s: %s %s", spec.name, result.action, result.version or "")
    return result


def diff_while_validating(
    spec: DatasetSpec, table: PulledTable, root: Path, workdir: Path
) -> Future[DiffAhead | None] | None:
    """The row diff against the latest release, computed in a thread while the table is
    validated (publish.ahead); None when the portal or the schema cannot be read now."""
    try:
        client = PortalClient(portal_target())
        schema = json.loads((root / spec.schema_path).read_text(encoding="utf-8"))
    except (OSError, ValueError, DulieumoError):
        return None
    return start_ahead(lambda: diff_ahead(client, spec.name, table, schema, workdir))


def retention_policy(spec: DatasetSpec) -> RetentionPolicy:
    declared = spec.retention
    if declared == "all":
        return RetentionPolicy()
    return RetentionPolicy(
        keep_last=declared.keep_last,
        one_per_year=declared.one_per_year,
        queryable=declared.queryable,
    )


def run_dataset(
    spec: DatasetSpec,
    catalog: Catalog,
    root: Path,
    dry_run: bool = False,
    approve_major: bool = False,
    *,
    trigger: str = "manual",
) -> RunOutcome:
    """The body of the flow: also callable directly (e.g. from the nightly fan-out).

    Every run that is not a dry run leaves one record in the run history."""
    record = history.RunRecord(
        spec.name,
        spec.organization,
        RunStatus.FAILED,
        history.now_utc(),
        trigger=trigger,
        flow_run_id=_flow_run_id(),
    )
    try:
        outcome = _run_dataset(spec, catalog, root, dry_run, approve_major)
    except DulieumoError as exc:
        exc.about(spec.name)  # say which dataset, once (exc.dataset, not its text)
        record.reason, record.error_code = exc.message, exc.code
        record.transient = isinstance(exc, TransientError)
        if exc.code == "publication-locked":  # another run is publishing it right now
            record.status = RunStatus.SKIPPED
        _record(record, dry_run, catalog)
        raise
    except Exception as exc:
        record.reason, record.error_code = f"{type(exc).__name__}: {exc}", "internal-error"
        _record(record, dry_run, catalog)
        raise
    record.status = outcome.status
    record.findings = dict(outcome.findings)
    record.report_path = outcome.report_path
    res = outcome.result or {}
    record.version = res.get("version")
    record.dataset_url = res.get("url")
    report_id = (res.get("resources") or {}).get("release-report")
    if report_id and record.dataset_url:
        record.report_url = f"{record.dataset_url}/resource/{report_id}"
    if outcome.status == RunStatus.INVALID:
        record.reason = validation_failed_reason(outcome.findings)
    _record(record, dry_run, catalog)
    return outcome


def _flow_run_id() -> str | None:
    try:
        run_id = flow_run.get_id()
    except Exception:  # outside a flow run
        return None
    return str(run_id) if run_id else None


def _record(record: history.RunRecord, dry_run: bool, catalog: Catalog) -> None:
    """The one place every run ends: notify (once), then append to the run history."""
    if dry_run:
        return
    record.finished_at = history.now_utc()
    try:
        record.notifications = notify_run(record, catalog)
    except Exception as exc:  # a notification problem never fails the run
        record.notifications = [
            {"channel": "all", "ok": False, "error": f"notifications failed: {type(exc).__name__}"}
        ]
    history.append(record)


T = TypeVar("T")


def unwalked(value: T) -> T:
    """A task input Prefect passes on without walking it (``quote``): the catalogue (the
    running datasets fill its spec cache from other threads meanwhile), a thread's future."""
    return cast("T", quote(value))


def _run_dataset(
    spec: DatasetSpec, catalog: Catalog, root: Path, dry_run: bool, approve_major: bool
) -> RunOutcome:
    # the catalogue goes to tasks unwalked: Prefect walking it to resolve inputs while another
    # dataset's thread filled its spec cache failed runs at random ("dictionary changed size
    # during iteration", "Failed to resolve inputs in parameter 'catalog'")
    workdir = run_dir(spec.name, dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    fetched = pull_task(spec, root, workdir)
    inputs = input_fingerprint(spec, root, fetched.raw_sha256, catalog)
    if inputs is not None and not dry_run:
        early = unchanged_task(spec, unwalked(catalog), inputs)
        if early is not None:
            return RunOutcome(spec.name, RunStatus.of_release(early.action), result=early.to_dict())
    table = normalise_task(fetched)
    ahead = diff_while_validating(spec, table, root, workdir)
    report = validate_task(table, spec, root, workdir, unwalked(catalog))
    outcome = RunOutcome(
        spec.name,
        RunStatus.INVALID,
        report_path=str(workdir / "validation-report.json"),
        table_path=str(table.path),
        findings=dict(report.counts),
    )
    if not report.ok:
        if not dry_run:  # a dry run leaves no trace in the quarantine
            outcome.quarantine_path = str(
                quarantine_run(report, spec, table.path, root=root, run=workdir.name)
            )
        return outcome
    table = protect(table, report, workdir)  # formula cells escaped in what is uploaded
    outcome.table_path = str(table.path)
    result = publish_task(
        spec,
        unwalked(catalog),
        table,
        report,
        root,
        workdir,
        dry_run,
        approve_major,
        inputs,
        unwalked(ahead),
    )
    outcome.status = RunStatus.of_release(result.action)
    outcome.result = result.to_dict()
    return outcome


def run_trigger(given: str) -> str:
    """The trigger of the current flow run: retry, schedule (Prefect's scheduler made it),
    else ``given`` (the CLI's manual/nightly; a `prefect deployment run` is manual)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    return trigger_of(ctx.flow_run, given) if ctx and ctx.flow_run else given


@flow(
    name="publish-dataset",
    log_prints=True,
    on_crashed=[on_crash_hook],
    on_cancellation=[on_crash_hook],
)
def publish_dataset(
    dataset: str,
    root: str | None = None,
    dry_run: bool = False,
    approve_major: bool = False,
    trigger: str = "manual",
) -> RunOutcome:
    """Pull, validate and publish one dataset of the catalogue (trigger: manual | schedule |
    retry, read from the run; ``trigger`` is what a caller that is not Prefect says)."""
    base = Path(root) if root else catalog_root()
    catalog = load_catalog(base)
    spec = catalog.get(dataset)
    return run_dataset(spec, catalog, base, dry_run, approve_major, trigger=run_trigger(trigger))
