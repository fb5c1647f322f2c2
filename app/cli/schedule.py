"""`dulieumo schedule`, `serve` and `status`: the catalogue on a schedule."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, guarded

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
    from dulieumo.settings import max_parallel as limit_of
    from flows.local_server import serving
    from flows.schedule import serve_catalog

    catalog = guarded(lambda: load_catalog(catalog_root()))
    limit = guarded(lambda: limit_of(max_parallel))
    typer.echo(
        f"Serving {len(catalog.names())} dataset schedule(s), at most {limit} at once. "
        "Stop with Ctrl-C.",
        err=True,
    )
    with serving() as url:
        if url:
            typer.echo(f"Prefect server for this and other commands: {url}", err=True)
        guarded(lambda: serve_catalog(catalog, limit))


def status_cmd(
    datasets: Annotated[
        list[str] | None, typer.Argument(help="Dataset names (default all)")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Freshness per dataset: last release, last attempt, next run, overdue. Exit 1 if overdue."""
    from flows.status import collect_status
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
