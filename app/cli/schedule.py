"""`dulieumo schedule`, `serve`, `status` and `publish --all` (registered in cli.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app.cli.main import EXIT_COULD_NOT_RUN, JsonOpt, emit, guarded

WorkPoolOpt = Annotated[
    str | None,
    typer.Option(
        "--work-pool",
        help="Register for workers of this Prefect work pool "
        "(type process; created if missing) instead of `dulieumo serve`.",
    ),
]
ParallelOpt = Annotated[
    int | None,
    typer.Option(
        "--max-parallel", help="Datasets run at once (default DULIEUMO_MAX_PARALLEL, else 2)."
    ),
]


def schedule_cmd(work_pool: WorkPoolOpt = None, as_json: JsonOpt = False) -> None:
    """Register one Prefect deployment per dataset with its schedule (idempotent).

    Uses PREFECT_API_URL (else the embedded server); deletes deployments of removed datasets.
    """
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from flows.schedule import register

    reg = guarded(lambda: register(load_catalog(catalog_root()), work_pool), as_json)

    def human(d: dict[str, Any]) -> None:
        for dep in d["deployments"]:
            when = f"{dep['cron']} ({dep['timezone']})" if dep["cron"] else "on demand"
            paused = "  [paused]" if dep["paused"] else ""
            typer.echo(f"{dep['name']:<48} {when}{paused}")
        for name in d["removed"]:
            typer.echo(f"removed: publish-dataset/{name} (dataset no longer in the catalogue)")
        typer.echo(f"{len(d['deployments'])} deployment(s) on {d['api_url']}.")
        if d["work_pool"]:
            typer.echo(f"Run them with workers: prefect worker start --pool {d['work_pool']}")
        else:
            typer.echo("Run them with: dulieumo serve")

    emit(reg.to_dict(), as_json, human)


def serve_cmd(max_parallel: ParallelOpt = None) -> None:
    """Run every dataset's schedule in this process (Prefect `serve`) until stopped."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from flows.schedule import max_parallel as limit_of
    from flows.schedule import serve_catalog

    catalog = guarded(lambda: load_catalog(catalog_root()))
    limit = guarded(lambda: limit_of(max_parallel))
    typer.echo(
        f"Serving {len(catalog.names())} dataset schedule(s), at most {limit} at once. "
        "Stop with Ctrl-C.",
        err=True,
    )
    guarded(lambda: serve_catalog(catalog, limit))


def status_cmd(
    datasets: Annotated[
        list[str] | None, typer.Argument(help="Dataset names (default all)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Freshness per dataset: last release, last attempt, next run, overdue. Exit 1 if overdue."""
    from notify.status import notifications_line

    rows = guarded(lambda: collect_status(datasets or []), as_json)

    def human(items: list[dict[str, Any]]) -> None:
        for r in items:
            rel = r["last_release"]
            att = r["last_attempt"]
            flag = "OVERDUE" if r["overdue"] else "ok"
            typer.echo(
                f"{r['dataset']}  [{flag}]  ({r['frequency']}, "
                f"{r['schedule']['cron']} {r['schedule']['timezone']})"
            )
            typer.echo(
                f"  last release:  {rel['version']} at {rel['at']}"
                if rel
                else "  last release:  none"
            )
            if att:
                reason = f" — {att['reason']}" if att.get("reason") else ""
                typer.echo(
                    f"  last attempt:  {att['status']} at {att['at']} ({att['trigger']}){reason}"
                )
                if att.get("notifications"):
                    typer.echo(f"  notified:      {notifications_line(att['notifications'])}")
            else:
                typer.echo("  last attempt:  none")
            typer.echo(f"  next run:      {r['next_run'] or 'paused'} ({r['next_run_source']})")
            if r["overdue"]:
                typer.echo(f"  overdue:       {r['overdue_reason']}")
                typer.echo(f"  → publish it now: dulieumo publish {r['dataset']}")

    emit(rows, as_json, human)
    if any(r["overdue"] for r in rows):
        raise typer.Exit(1)


def collect_status(names: list[str]) -> list[dict[str, Any]]:
    from dulieumo import history
    from dulieumo.catalog import load_catalog
    from dulieumo.catalog.schedule import schedule_of
    from dulieumo.errors import DulieumoError
    from dulieumo.freshness import freshness
    from dulieumo.paths import catalog_root
    from flows.schedule import api_url, next_scheduled_runs

    catalog = load_catalog(catalog_root())
    specs = (
        [catalog.get(n) for n in names]
        if names
        else [s for _, s in sorted(catalog.datasets.items())]
    )
    records = history.latest_by_dataset()
    prefect_next: dict[str, str] = {}
    if api_url():  # only a configured server; never start an embedded one for this
        try:
            prefect_next = next_scheduled_runs()
        except Exception:  # unreachable: the next run comes from the spec's schedule
            prefect_next = {}
    client = None
    try:
        from dulieumo.config import portal_target
        from publish.client import PortalClient

        client = PortalClient(portal_target())
    except DulieumoError:
        client = None
    out = []
    for spec in specs:
        package, checked = None, False
        if client is not None:
            try:
                package = client.exists("package_show", spec.name)
                checked = True
            except DulieumoError:
                package = None
        item = freshness(
            spec.name,
            spec.organization,
            str(spec.frequency),
            schedule_of(spec),
            records.get(spec.name, []),
            package=package,
            portal_checked=checked,
            prefect_next=prefect_next.get(spec.name),
        ).to_dict()
        if item["last_release"] and client is not None:
            item["last_release"]["url"] = f"{client.url}/dataset/{spec.name}"
        out.append(item)
    return out


def publish_all(
    max_parallel: int | None, dry_run: bool, as_json: bool, trigger: str = "manual"
) -> Any:
    """`dulieumo publish --all` and `dulieumo demo`: the fan-out flow, its summary printed."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from flows.publish_catalog import run_publish_all
    from flows.schedule import max_parallel as limit_of

    guarded(lambda: load_catalog(catalog_root()), as_json)  # portal.yaml readable
    limit = guarded(lambda: limit_of(max_parallel), as_json)
    summary = guarded(lambda: run_publish_all(limit, dry_run=dry_run, trigger=trigger), as_json)
    print_summary(summary, as_json)
    return summary


def print_summary(summary: Any, as_json: bool) -> None:
    data = summary.to_dict()

    def human(d: dict[str, Any]) -> None:
        for r in d["datasets"]:
            extra = f" {r['version']}" if r.get("version") else ""
            line = f"{r['dataset']:<32} {r['status']}{extra}"
            if r.get("url") and r["group"] in ("published", "unchanged"):
                line += f" → {r['url']}"
            typer.echo(line)
            if r.get("reason"):
                typer.echo(f"  reason: {r['reason']}")
            if r["status"] == "invalid":
                typer.echo(f"  → see the findings: dulieumo validate {r['dataset']}")
        c = d["counts"]
        typer.echo(
            f"Summary: {c['published']} published, {c['unchanged']} unchanged, "
            f"{c['failed']} failed, {c['skipped']} skipped "
            f"(at most {d['max_parallel']} at once)."
        )

    emit(data, as_json, human)


def register(app: typer.Typer) -> None:
    app.command("schedule")(schedule_cmd)
    app.command("serve")(serve_cmd)
    app.command("status")(status_cmd)


__all__ = ["EXIT_COULD_NOT_RUN", "publish_all", "register"]
