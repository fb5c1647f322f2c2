"""Publish every dataset of the catalogue in one flow run: "publish all".

Design (fan-out and failure isolation):

- one Prefect task ``publish-one`` per dataset, submitted to a ``ThreadPoolTaskRunner`` with
  ``max_workers`` = DULIEUMO_MAX_PARALLEL (default 2) or ``--max-parallel``: at most that
  many datasets pull from the agencies and write to the portal at the same time;
- inside it the dataset's own run (``run_dataset``: pull → validate → publish tasks, with
  their retries of transient failures and the run-history record) goes on unchanged;
- ``publish-one`` has no retries of its own and never raises: every failure of one dataset
  (a bad spec, a missing source, invalid rows, the portal refusing) becomes that dataset's
  ``failed`` entry with its reason, so one failing dataset never stops the others;
- the flow ends with a summary (published / unchanged / failed / skipped, with reasons),
  returned as a value, printed by the CLI and kept as a Prefect markdown artifact.

A dataset whose spec says ``schedule: {paused: true}`` is skipped, as is one that another
run is publishing right now (its publication lock is taken).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from dulieumo import history
from dulieumo.catalog import Catalog, load_catalog
from dulieumo.catalog.schedule import schedule_of
from dulieumo.errors import DulieumoError, TerminalError, TransientError
from dulieumo.paths import catalog_root
from dulieumo.runstatus import RunStatus, SummaryGroup, validation_failed_reason
from dulieumo.settings import DEFAULT_MAX_PARALLEL, max_parallel

from .crash import on_crash_hook
from .publish_dataset import run_dataset, run_trigger, unwalked

#: the summary's groups, in the order shown (RunStatus.group maps a status to one)
GROUPS = tuple(SummaryGroup)
LOCKED = "publication-locked"


def _workers_from_env() -> int:
    """The flow's default limit when a deployment runs it (the CLI sets its own, checked)."""
    try:
        return max_parallel()
    except TerminalError:  # refused with its message when the CLI starts a run
        return DEFAULT_MAX_PARALLEL


@dataclass
class DatasetResult:
    """One dataset's line of the summary."""

    dataset: str
    status: RunStatus
    reason: str | None = None
    version: str | None = None
    url: str | None = None
    error_code: str | None = None
    transient: bool | None = None
    report_path: str | None = None
    findings: dict[str, int] = field(default_factory=dict)
    started: float = 0.0  # epoch seconds, for the concurrency to be seen
    finished: float = 0.0

    @property
    def group(self) -> SummaryGroup:
        return RunStatus(self.status).group

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "group": self.group,
            "seconds": round(self.finished - self.started, 2),
        }


@dataclass
class CatalogSummary:
    """What a "publish all" run did."""

    results: list[DatasetResult]
    max_parallel: int
    dry_run: bool = False
    flow_run_id: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {g: sum(1 for r in self.results if r.group == g) for g in GROUPS}

    @property
    def ok(self) -> bool:
        return self.counts["failed"] == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "counts": self.counts,
            "max_parallel": self.max_parallel,
            "dry_run": self.dry_run,
            "flow_run_id": self.flow_run_id,
            "datasets": [r.to_dict() for r in self.results],
        }

    def markdown_vi(self) -> str:
        c = self.counts
        lines = [
            "# Kết quả xuất bản toàn bộ danh mục",
            "",
            f"Đã xuất bản: **{c['published']}** · Không thay đổi: **{c['unchanged']}** · "
            f"Lỗi: **{c['failed']}** · Bỏ qua: **{c['skipped']}** "
            f"(tối đa {self.max_parallel} bộ dữ liệu cùng lúc)",
            "",
            "| Bộ dữ liệu | Kết quả | Phiên bản | Lý do |",
            "|---|---|---|---|",
        ]
        label = {
            "published": "đã xuất bản",
            "unchanged": "không thay đổi",
            "planned": "chạy thử",
            "invalid": "dữ liệu không hợp lệ",
            "failed": "lỗi",
            "skipped": "bỏ qua",
        }
        for r in self.results:
            reason = (r.reason or "").replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {r.dataset} | {label.get(r.status, r.status)} | {r.version or ''} | {reason} |"
            )
        return "\n".join(lines) + "\n"


def _organization(catalog: Catalog, name: str) -> str:
    """The dataset's organisation, read from its YAML even when the spec is invalid."""
    import yaml

    try:
        data = yaml.safe_load(catalog.files[name].read_text(encoding="utf-8-sig"))
        return str(data.get("organization") or "") if isinstance(data, dict) else ""
    except Exception:
        return ""


def _record_not_run(
    catalog: Catalog,
    name: str,
    status: RunStatus,
    reason: str,
    dry_run: bool,
    trigger: str,
    error_code: str | None = None,
) -> None:
    """A run history record for a dataset that did not get to run (paused, bad spec).

    Written through run_dataset's own ``_record``, the one place every run ends (so whatever
    it does with a record, e.g. notifications, happens here too)."""
    from .publish_dataset import _record

    now = history.now_utc()
    _record(
        history.RunRecord(
            name,
            _organization(catalog, name),
            status,
            now,
            now,
            reason=reason,
            error_code=error_code,
            transient=False,
            trigger=trigger,
        ),
        dry_run,
        catalog,
    )


@task(name="publish-one", cache_policy=NO_CACHE)
def publish_one(
    catalog: Catalog, name: str, root: Path, dry_run: bool, trigger: str
) -> DatasetResult:
    """One dataset's whole run; never raises: a failure is this dataset's result."""
    started = time.time()
    result = DatasetResult(name, RunStatus.FAILED, started=started)
    try:
        try:
            spec = catalog.get(name)
        except DulieumoError as exc:  # a bad spec: this dataset cannot run; say so in history
            _record_not_run(
                catalog, name, RunStatus.FAILED, exc.message, dry_run, trigger, exc.code
            )
            raise
        if schedule_of(spec).paused:
            result.status = RunStatus.SKIPPED
            result.reason = "schedule paused in the spec (schedule.paused: true)"
            _record_not_run(catalog, name, RunStatus.SKIPPED, result.reason, dry_run, trigger)
        else:
            outcome = run_dataset(spec, catalog, root, dry_run, trigger=trigger)
            res = outcome.result or {}
            result.status = outcome.status
            result.version = res.get("version")
            result.url = res.get("url")
            result.report_path = outcome.report_path
            result.findings = dict(outcome.findings)
            if outcome.status == RunStatus.INVALID:
                result.reason = validation_failed_reason(outcome.findings)
                result.error_code = "validation-failed"
    except DulieumoError as exc:
        result.reason, result.error_code = exc.message, exc.code
        result.transient = isinstance(exc, TransientError)
        if exc.code == LOCKED:
            result.status = RunStatus.SKIPPED
        get_run_logger().error("%s %s: %s", name, result.status, exc.message)
    except Exception as exc:  # a bug in one dataset's run must not stop the others
        result.reason, result.error_code = f"{type(exc).__name__}: {exc}", "internal-error"
        get_run_logger().exception("%s failed unexpectedly", name)
    result.finished = time.time()
    return result


@flow(
    name="publish-catalog",
    log_prints=True,
    task_runner=ThreadPoolTaskRunner(max_workers=_workers_from_env()),  # type: ignore[arg-type]
    on_crashed=[on_crash_hook],
    on_cancellation=[on_crash_hook],
)
def publish_catalog(
    root: str | None = None,
    dry_run: bool = False,
    trigger: str = "manual",
    datasets: list[str] | None = None,
) -> CatalogSummary:
    """Publish every dataset (or the named ones), a few at a time; end with a summary."""
    from prefect.context import get_run_context
    from prefect.runtime import flow_run

    base = Path(root) if root else catalog_root()
    trigger = run_trigger(trigger)
    catalog = load_catalog(base)  # a broken portal.yaml stops here: nothing can run
    names = datasets or catalog.names()
    runner = getattr(get_run_context(), "task_runner", None)
    workers = int(getattr(runner, "_max_workers", None) or _workers_from_env())
    # quoted: not walked by Prefect while the running datasets fill its spec cache
    futures = [publish_one.submit(unwalked(catalog), n, base, dry_run, trigger) for n in names]
    summary = CatalogSummary(
        [f.result() for f in futures],
        workers,
        dry_run,
        str(flow_run.get_id()) if flow_run.get_id() else None,
    )
    c = summary.counts
    get_run_logger().info(
        "Summary: %d published, %d unchanged, %d failed, %d skipped",
        c["published"],
        c["unchanged"],
        c["failed"],
        c["skipped"],
    )
    try:
        create_markdown_artifact(
            key="publish-summary",
            markdown=summary.markdown_vi(),
            description="Kết quả xuất bản toàn bộ danh mục",
        )
    except Exception as exc:  # the summary is still returned and printed
        get_run_logger().warning("Could not store the summary artifact: %s", exc)
    return summary


def run_publish_all(
    max_parallel: int,
    *,
    root: str | None = None,
    dry_run: bool = False,
    trigger: str = "manual",
    datasets: list[str] | None = None,
) -> CatalogSummary:
    """The flow with its concurrency limit set for this run (CLI entry point)."""
    configured = publish_catalog.with_options(
        task_runner=ThreadPoolTaskRunner(max_workers=max_parallel)  # type: ignore[arg-type]
    )
    result: CatalogSummary = configured(
        root=root, dry_run=dry_run, trigger=trigger, datasets=datasets
    )
    return result
