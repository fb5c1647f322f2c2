"""Schedules from the specs, as Prefect deployments.

One deployment per dataset (flow ``publish-dataset``, deployment name = the dataset's name,
parameters: the dataset only), its cron and timezone from the spec's ``schedule:`` (or derived
from ``frequency``), plus the project-wide deployments of ``prefect.yaml`` (``dulieumo-all`` of
``publish-catalog``, on demand; ``dulieumo-crash-notice`` of ``record-crash``): names come from
the specs and from that file only. Ours carry the tag ``dulieumo``; per-dataset ones also
``dulieumo-dataset``, which is how a removed dataset's deployment is found and deleted.
Registering is idempotent: Prefect upserts a deployment by flow and name. Nothing secret is a
parameter: workers read secrets themselves (dulieumo.settings).

- ``register``: on the Prefect API configured by PREFECT_API_URL (or the embedded one);
  with a work pool, workers on other machines run them: every deployment gets prefect.yaml's
  pull step, and the crash automations are created (flows/automations.py).
- ``serve_catalog``: Prefect's ``serve`` — one process runs every schedule, at most
  DULIEUMO_MAX_PARALLEL flow runs at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import httpx

from dulieumo.catalog import Catalog
from dulieumo.catalog.schedule import Schedule, schedule_of
from dulieumo.errors import TransientError
from dulieumo.settings import max_parallel, settings

from .project import project_deployments, pull_steps

if TYPE_CHECKING:
    from uuid import UUID

    from prefect.deployments.runner import RunnerDeployment

TAG = "dulieumo"
DATASET_TAG = "dulieumo-dataset"
ALL_DEPLOYMENT = "dulieumo-all"  # named in prefect.yaml; the constant is for the CLI's help
CRASH_DEPLOYMENT = "dulieumo-crash-notice"


class PrefectUnavailable(TransientError):
    """The Prefect API (PREFECT_API_URL) does not answer."""

    code = "prefect-unavailable"


def api_url() -> str | None:
    from prefect.settings import PREFECT_API_URL

    value = PREFECT_API_URL.value()
    return str(value).rstrip("/") if value else None


def check_api() -> str | None:
    """The configured Prefect API URL after a health check; None = the embedded server."""
    url = api_url()
    if url is None:
        return None
    try:
        resp = httpx.get(f"{url}/health", timeout=5)
        resp.raise_for_status()
    except httpx.HTTPError as exc:
        raise PrefectUnavailable(
            f"The Prefect server at PREFECT_API_URL={url} does not answer "
            f"({type(exc).__name__}); nothing was registered.",
            hint="Start it (prefect server start) or fix PREFECT_API_URL; "
            "unset PREFECT_API_URL to use the embedded server with `dulieumo serve`.",
        ) from None
    return url


@dataclass
class DatasetSchedule:
    name: str
    organization: str
    schedule: Schedule


def dataset_schedules(catalog: Catalog) -> list[DatasetSchedule]:
    """Every dataset's effective schedule (raises one SpecError listing every bad spec)."""
    return [
        DatasetSchedule(n, s.organization, schedule_of(s))
        for n, s in sorted(catalog.datasets.items())
    ]


def build_deployments(catalog: Catalog, work_pool: str | None = None) -> list[RunnerDeployment]:
    from prefect.schedules import Cron
    from prefect.types.entrypoint import EntrypointType

    from .publish_dataset import publish_dataset

    out = []
    for item in dataset_schedules(catalog):
        sched = item.schedule
        out.append(
            publish_dataset.to_deployment(
                name=item.name,
                schedules=[Cron(sched.cron, timezone=sched.timezone)],
                paused=sched.paused,
                parameters={"dataset": item.name},  # the trigger is read from the run itself
                tags=[TAG, DATASET_TAG, f"org:{item.organization}"],
                description=f"Publish {item.name} on schedule ({sched.cron}, {sched.timezone}).",
                work_pool_name=work_pool,
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    for entry in project_deployments():
        out.append(
            entry.flow().to_deployment(
                name=entry.name,
                parameters=entry.parameters,
                tags=list(entry.tags),
                description=entry.description,
                work_pool_name=work_pool,
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return cast("list[RunnerDeployment]", out)


@dataclass
class Registration:
    api_url: str | None
    work_pool: str | None
    deployments: list[dict[str, Any]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    automations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url or "embedded",
            "work_pool": self.work_pool,
            "deployments": self.deployments,
            "removed": self.removed,
            "automations": self.automations,
        }


def ours(client: Any) -> list[Any]:
    """Our deployments on the Prefect API (by tag)."""
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterTags
    from prefect.client.schemas.sorting import DeploymentSort

    out: list[Any] = []
    while True:  # the API pages by at most 200
        page = client.read_deployments(
            deployment_filter=DeploymentFilter(tags=DeploymentFilterTags(all_=[TAG])),
            limit=200,
            offset=len(out),
            sort=DeploymentSort.NAME_ASC,
        )
        out += page
        if len(page) < 200:
            return out


def remove_stale(client: Any, keep: set[str]) -> list[str]:
    """Delete per-dataset deployments whose dataset is no longer in the catalogue."""
    removed = []
    for dep in ours(client):
        if DATASET_TAG in (dep.tags or []) and dep.name not in keep:
            client.delete_deployment(dep.id)
            removed.append(dep.name)
    return sorted(removed)


def register(catalog: Catalog, work_pool: str | None = None) -> Registration:
    """Create or update every deployment; delete those of removed datasets. With a work pool:
    prefect.yaml's pull step and entry points on each, and the crash automations."""
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentUpdate

    url = check_api()
    deployments = build_deployments(catalog, work_pool)  # spec errors before any write
    entrypoints = {e.name: e.entrypoint for e in project_deployments()}
    steps = pull_steps() if work_pool else None
    reg = Registration(url, work_pool)
    crash_id = None
    with get_client(sync_client=True) as client:
        if work_pool:
            _ensure_pool(client, work_pool)
        for dep in deployments:
            dep_id = cast("UUID", dep.apply(work_pool_name=work_pool))
            if steps is not None:  # what a worker on a fresh machine runs before the flow
                update = DeploymentUpdate(pull_steps=steps)
                if dep.name in entrypoints:  # the same as `prefect deploy --all` registers
                    update = DeploymentUpdate(
                        pull_steps=steps, entrypoint=entrypoints[dep.name], path=None
                    )
                client.update_deployment(dep_id, update)
            if dep.name == CRASH_DEPLOYMENT:
                crash_id = dep_id
            sched = dep.schedules[0].schedule if dep.schedules else None
            reg.deployments.append(
                {
                    "name": f"{dep.flow_name}/{dep.name}",
                    "id": str(dep_id),
                    "cron": getattr(sched, "cron", None),
                    "timezone": getattr(sched, "timezone", None),
                    "paused": bool(dep.paused),
                }
            )
        reg.removed = remove_stale(client, {d.name for d in deployments if DATASET_TAG in d.tags})
        if work_pool and crash_id is not None:
            from .automations import ensure_automations

            reg.automations = ensure_automations(client, crash_id, settings().lost_run_after)
    return reg


def _ensure_pool(client: Any, name: str) -> None:
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists

    try:
        client.create_work_pool(
            WorkPoolCreate(name=name, type="process", concurrency_limit=max_parallel())
        )
    except ObjectAlreadyExists:
        pass


def serve_catalog(catalog: Catalog, limit: int | None = None) -> None:
    """Run every schedule in this process (blocks until interrupted)."""
    from prefect import get_client, serve

    check_api()
    deployments = build_deployments(catalog)
    if api_url() is not None:
        with get_client(sync_client=True) as client:
            remove_stale(client, {d.name for d in deployments if DATASET_TAG in d.tags})
    serve(*deployments, limit=max_parallel(limit))


def next_scheduled_runs() -> dict[str, str]:
    """dataset → ISO time of its next scheduled flow run on the Prefect API ({} if none)."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    out: dict[str, str] = {}
    with get_client(sync_client=True) as client:
        deps = {d.id: d for d in ours(client) if DATASET_TAG in (d.tags or [])}
        if not deps:
            return out
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=list(deps))),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
            ),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC,
            limit=200,
        )
        for run in runs:
            dep = deps.get(run.deployment_id) if run.deployment_id else None
            when = run.expected_start_time or run.next_scheduled_start_time
            if dep is None or when is None or dep.name in out or dep.paused:
                continue
            out[dep.name] = when.isoformat()
    return out
