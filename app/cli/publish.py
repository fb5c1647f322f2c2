"""`dulieumo publish` (one dataset, or --all), `releases` and `rollback`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from app.cli.output import JsonOpt, emit, fail, guarded


def publish_cmd(
    dataset: Annotated[
        str | None, typer.Argument(help="Dataset name, e.g. co-so-kham-chua-benh")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Plan only; write nothing")] = False,
    approve_major: Annotated[
        bool, typer.Option("--approve-major", help="Approve an incompatible schema change")
    ] = False,
    as_json: JsonOpt = False,
    all_: Annotated[bool, typer.Option("--all", help="Every dataset, with a summary")] = False,
    max_parallel: Annotated[
        int | None, typer.Option("--max-parallel", help="With --all: datasets at once")
    ] = None,
) -> None:
    """Publish one dataset (a Prefect flow run), or --all with a summary. Exit 1 if invalid."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from dulieumo.runstatus import RunStatus

    if all_ or dataset is None:
        if dataset is not None or not all_:
            fail("give one dataset name, or --all")
        if not publish_all(max_parallel, dry_run, as_json).ok:
            raise typer.Exit(1)
        return

    # a bad spec is reported before any flow run starts
    spec = guarded(lambda: load_catalog(catalog_root()).get(dataset), as_json)
    server = start_prefect_server()  # boots while the flow's modules are imported
    from flows.publish_dataset import publish_dataset

    if server is not None:
        from validate import preload

        server.ready(meanwhile=preload)  # validation's libraries imported while it boots
    outcome = guarded(
        lambda: publish_dataset(spec.name, dry_run=dry_run, approve_major=approve_major),
        as_json,
    )
    print_outcomes([outcome], as_json, single=True)
    if outcome.status == RunStatus.INVALID:
        raise typer.Exit(1)


def releases_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    as_json: JsonOpt = False,
) -> None:
    """List a dataset's releases on the portal: versions, dates, hashes and notes."""
    from portal.target import portal_target
    from publish.client import PortalClient
    from publish.rollback import releases

    items = guarded(lambda: releases(PortalClient(portal_target()), dataset), as_json)

    def human(rows: list[dict[str, Any]]) -> None:
        if not rows:
            typer.echo(f"{dataset}: no releases yet. Publish one: dulieumo publish {dataset}")
        for r in rows:
            typer.echo(
                f"{r['version']:<9} {r['created']}  sha256 {r['sha256'][:12]}…  "
                f"{r['rows']} rows  {r['summary']}"
            )

    emit(items, as_json, human)


def rollback_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    to: Annotated[str, typer.Option("--to", help="The version to make the latest again")],
    as_json: JsonOpt = False,
) -> None:
    """Make an earlier release the latest again, as a new release with a note."""
    import datetime as dt

    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root, run_dir
    from portal.target import portal_target
    from publish.client import PortalClient
    from publish.rollback import rollback

    def run() -> Any:
        cat = load_catalog(catalog_root())
        spec = cat.get(dataset)
        workdir = run_dir(
            spec.name, "rollback-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
        )
        return rollback(PortalClient(portal_target()), spec, cat.portal, to, workdir=workdir)

    result = guarded(run, as_json)
    emit(
        result.to_dict(),
        as_json,
        lambda d: typer.echo(
            f"{d['dataset']}: release {d['version']} now restores {to} → {d['url']}"
        ),
    )


def unlock_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    force: Annotated[
        bool, typer.Option("--force", help="Clear it even if its run still renews it")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Clear a dataset's publication lock left by a crashed run (refused while a run holds it)."""
    from dulieumo.catalog import load_catalog
    from dulieumo.errors import DulieumoError
    from dulieumo.paths import catalog_root
    from portal.target import portal_target
    from publish.client import PortalClient
    from publish.lock import unlock

    def run() -> Any:
        name, organization = dataset, None
        try:
            spec = load_catalog(catalog_root()).get(dataset)
            name, organization = spec.name, spec.organization
        except DulieumoError:  # not in the catalogue: the portal knows its organisation
            pass
        return unlock(PortalClient(portal_target()), name, organization, force=force)

    result = guarded(run, as_json)
    emit(result.to_dict(), as_json, lambda d: typer.echo(f"{dataset}: lock {d['status']}"))


def publish_all(
    max_parallel: int | None, dry_run: bool, as_json: bool, trigger: str = "manual"
) -> Any:
    """`dulieumo publish --all` and `dulieumo demo`: the fan-out flow, its summary printed."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root
    from dulieumo.settings import max_parallel as limit_of

    guarded(lambda: load_catalog(catalog_root()), as_json)  # portal.yaml readable
    limit = guarded(lambda: limit_of(max_parallel), as_json)
    server = start_prefect_server()
    from flows.publish_catalog import run_publish_all

    if server is not None:
        server.ready()
    summary = guarded(lambda: run_publish_all(limit, dry_run=dry_run, trigger=trigger), as_json)
    print_summary(summary, as_json)
    return summary


def start_prefect_server() -> Any:
    """Prefect's temporary server, started now if Prefect would start one for the first flow
    (flows/temporary_server.py): call before the flows are imported, ``ready()`` after."""
    from flows.temporary_server import start_early

    return start_early()


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


def print_outcomes(outcomes: list[Any], as_json: bool, single: bool = False) -> None:
    data = [vars(o) for o in outcomes]
    if as_json:
        emit(data[0] if single else data, True, lambda _: None)
        return
    for o in data:
        res = o["result"] or {}
        if o["status"] in ("published", "unchanged"):
            typer.echo(
                f"{o['dataset']}: {o['status']}, version {res.get('version')} "
                f"({res.get('rows', 0)} rows) → {res.get('url')}"
            )
        elif o["status"] == "planned":
            plan = res.get("plan") or {}
            typer.echo(
                f"{o['dataset']}: dry run, nothing written. Plan: {plan.get('action')} "
                f"{plan.get('previous') or '-'} → {plan.get('version')} "
                f"({plan.get('level')}); rows {plan.get('rows')}"
            )
            if plan.get("metadata_diff"):
                typer.echo(f"  metadata changes: {', '.join(sorted(plan['metadata_diff']))}")
            for change in plan.get("schema_changes", []):
                typer.echo(f"  schema: [{change['level']}] {change['message']}")
        elif o["status"] == "invalid":
            typer.echo(
                f"{o['dataset']}: NOT published, validation failed "
                f"({dict(o['findings'])}). Report: {o['report_path']}"
            )
            typer.echo(f"  → see the findings: dulieumo validate {o['dataset']}")
        else:
            err = o["error"] or {}
            typer.echo(f"{o['dataset']}: FAILED: {err.get('message')}")
            if err.get("hint"):
                typer.echo(f"  → {err['hint']}")
