"""The `dulieumo` command line."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from dulieumo.errors import DulieumoError

app = typer.Typer(
    help="Publish a province's open data: pull from agencies, validate, publish to CKAN.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
portal_app = typer.Typer(help="Manage the local CKAN portal.", no_args_is_help=True)
app.add_typer(portal_app, name="portal")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]

T = TypeVar("T")

#: exit code when a command could not run (bad spec, unreachable portal...)
EXIT_COULD_NOT_RUN = 2


def emit(data: Any, as_json: bool, human: Callable[[Any], None]) -> None:
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        human(data)


def guarded(func: Callable[[], T], as_json: bool = False) -> T:
    """Run a command body; turn our errors into one clear message and exit code 2."""
    try:
        return func()
    except DulieumoError as exc:
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": exc.to_dict()}, ensure_ascii=False))
        else:
            typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(EXIT_COULD_NOT_RUN) from None


# --------------------------------------------------------------------------- portal


@portal_app.command("up")
def portal_up(as_json: JsonOpt = False) -> None:
    """Install (if needed) and start the local portal; idempotent."""
    from portal import manage

    def say(msg: str) -> None:
        if not as_json:
            typer.echo(msg, err=True)

    rep = guarded(lambda: manage.up(say=say), as_json)
    emit(
        {
            "ok": True,
            "url": rep.url,
            "pid": rep.pid,
            "steps": rep.steps,
            "seconds": round(rep.seconds, 1),
        },
        as_json,
        lambda d: typer.echo(f"Portal is up at {d['url']} (pid {d['pid']}, {d['seconds']} s)."),
    )


@portal_app.command("down")
def portal_down() -> None:
    """Stop the local portal's web server."""
    from portal import manage

    stopped = guarded(manage.down)
    typer.echo("Portal stopped." if stopped else "Portal was not running.")


@portal_app.command("status")
def portal_status(as_json: JsonOpt = False) -> None:
    """Report the portal's health (from status_show) and URL; exit 1 when unhealthy."""
    from portal import manage

    info = guarded(manage.status, as_json)

    def human(d: dict[str, Any]) -> None:
        state = (
            "healthy" if d["healthy"] else ("running, not answering" if d["running"] else "down")
        )
        typer.echo(f"Portal {state}: {d['url']}")
        if d["healthy"]:
            typer.echo(
                f"  CKAN {d['ckan_version']} · {d['site_title']} · plugins: "
                + ", ".join(d["extensions"])
            )
        else:
            typer.echo("  Start it with: dulieumo portal up")

    emit(info, as_json, human)
    if not info["healthy"]:
        raise typer.Exit(1)


@portal_app.command("reset")
def portal_reset() -> None:
    """Empty the portal's data (datasets, organisations, DataStore, uploads); keep users."""
    from portal import manage

    seconds = guarded(manage.reset)
    typer.echo(f"Portal reset in {seconds:.1f} s.")


@portal_app.command("token")
def portal_token(
    role: Annotated[str, typer.Option("--role", help="publisher or sysadmin")] = "publisher",
) -> None:
    """Print the API token of the local portal's publisher (or sysadmin)."""
    from portal import manage

    if role not in ("publisher", "sysadmin"):
        typer.secho("error: --role must be publisher or sysadmin", err=True, fg="red")
        raise typer.Exit(EXIT_COULD_NOT_RUN)
    typer.echo(guarded(lambda: manage.token(role)))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- catalog

catalog_app = typer.Typer(
    help="The declared datasets (datasets/, schemas/, validations/).", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")


@catalog_app.command("list")
def catalog_list(as_json: JsonOpt = False) -> None:
    """List the datasets of the catalogue."""
    from dulieumo.catalog import load_catalog
    from dulieumo.paths import catalog_root

    specs = guarded(lambda: load_catalog(catalog_root()).datasets.values(), as_json)
    rows = [
        {
            "name": s.name,
            "agency": s.agency,
            "organization": s.organization,
            "title": s.title.vi,
            "frequency": str(s.frequency),
            "source": s.source.type,
            "spec": str(s.spec_path),
        }
        for s in sorted(specs, key=lambda s: (s.agency, s.name))
    ]

    def human(data: list[dict[str, str]]) -> None:
        for r in data:
            typer.echo(f"{r['name']:<32} {r['organization']:<28} {r['frequency']:<10} {r['title']}")
        typer.echo(f"{len(data)} dataset(s).")

    emit(rows, as_json, human)


@catalog_app.command("check")
def catalog_check(as_json: JsonOpt = False) -> None:
    """Check every spec, schema and suite without running anything; exit 1 on problems."""
    from dulieumo.catalog import check_catalog
    from dulieumo.paths import catalog_root

    problems = guarded(lambda: check_catalog(catalog_root()), as_json)
    data = [p.model_dump(mode="json") if hasattr(p, "model_dump") else vars(p) for p in problems]

    def human(items: list[dict[str, Any]]) -> None:
        for p in items:
            typer.echo(
                f"{p.get('severity', 'error')}: {p.get('file')}: {p.get('path') or ''}: "
                f"{p.get('message')}"
            )
        typer.echo("Catalogue OK." if not items else f"{len(items)} problem(s).")

    emit(data, as_json, human)
    if any(p.get("severity", "error") == "error" for p in data):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- validate / publish


@app.command("validate")
def validate_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name, e.g. co-so-kham-chua-benh")],
    as_json: JsonOpt = False,
    report: Annotated[
        str | None, typer.Option("--report", help="Write the JSON report here")
    ] = None,
    html: Annotated[
        str | None, typer.Option("--html", help="Write the Vietnamese HTML report here")
    ] = None,
) -> None:
    """Pull and validate a dataset without publishing. Exit 0 clean, 1 findings, 2 could not run."""
    from dulieumo.cli_validate import validate_dataset

    validate_dataset(dataset, as_json=as_json, report=report, html=html)


def _print_findings(rep: Any, limit: int = 20) -> None:
    if rep.ok and not rep.findings:
        typer.echo(f"{rep.dataset}: {rep.rows} rows, no findings.")
        return
    for f in rep.findings[:limit]:
        where = ", ".join(
            x
            for x in (
                f.file and str(f.file),
                f.row and f"dòng {f.row}",
                f.field and f"cột {f.field}",
            )
            if x
        )
        typer.echo(f"[{f.severity}] {f.code} ({where}): {f.message}")
    if len(rep.findings) > limit:
        typer.echo(f"… {len(rep.findings) - limit} more in the report.")
    counts = ", ".join(f"{k}: {v}" for k, v in rep.counts.items())
    typer.echo(f"{rep.dataset}: {rep.rows} rows; {rep.error_count} error(s) ({counts}).")


def _publish_outcomes(outcomes: list[Any], as_json: bool, single: bool = False) -> None:
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


@app.command("publish")
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

    if all_ or dataset is None:
        if dataset is not None or not all_:
            typer.secho("error: give one dataset name, or --all", err=True, fg="red")
            raise typer.Exit(EXIT_COULD_NOT_RUN)
        from dulieumo.cli_schedule import publish_all

        if not publish_all(max_parallel, dry_run, as_json).ok:
            raise typer.Exit(1)
        return

    # a bad spec is reported before any flow run starts
    spec = guarded(lambda: load_catalog(catalog_root()).get(dataset), as_json)
    from flows.publish_dataset import publish_dataset

    outcome = guarded(
        lambda: publish_dataset(spec.name, dry_run=dry_run, approve_major=approve_major),
        as_json,
    )
    _publish_outcomes([outcome], as_json, single=True)
    if outcome.status == "invalid":
        raise typer.Exit(1)


@app.command("releases")
def releases_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    as_json: JsonOpt = False,
) -> None:
    """List a dataset's releases on the portal: versions, dates, hashes and notes."""
    from dulieumo.config import portal_target
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


@app.command("rollback")
def rollback_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    to: Annotated[str, typer.Option("--to", help="The version to make the latest again")],
    as_json: JsonOpt = False,
) -> None:
    """Make an earlier release the latest again, as a new release with a note."""
    import datetime as dt

    from dulieumo.catalog import load_catalog
    from dulieumo.config import portal_target
    from dulieumo.paths import catalog_root, run_dir
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


@app.command("unlock")
def unlock_cmd(
    dataset: Annotated[str, typer.Argument(help="Dataset name")],
    force: Annotated[
        bool, typer.Option("--force", help="Clear it even if its run still renews it")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Clear a dataset's publication lock left by a crashed run (refused while a run holds it)."""
    from publish.lock import unlock_dataset

    result = guarded(lambda: unlock_dataset(dataset, force=force), as_json)
    emit(result.to_dict(), as_json, lambda d: typer.echo(f"{dataset}: lock {d['status']}"))


@app.command("demo")
def demo_cmd(as_json: JsonOpt = False) -> None:
    """Publish the whole sample catalogue to the local portal and print where to look."""
    from dulieumo.cli_schedule import publish_all
    from dulieumo.paths import catalog_root
    from portal.settings import PortalSettings
    from samples.agency_server import AgencyServer

    # the sample agencies' files, APIs, CKAN table and database, for the time of the run
    agency = guarded(lambda: AgencyServer(catalog_root()).start(), as_json)
    try:
        summary = publish_all(None, False, as_json)
    finally:
        agency.stop()
    if not as_json:
        url = PortalSettings().url
        typer.echo("")
        typer.echo(f"Portal:    {url}")
        typer.echo(f"Datasets:  {url}/dataset")
        typer.echo(f"API:       {url}/api/3/action/package_search?q=benh+vien")
        typer.echo("Publisher token: dulieumo portal token")
    if not summary.ok:
        raise typer.Exit(1)


from dulieumo.report.command import report_cmd  # noqa: E402  (notify stream: KPI report)

app.command("report")(report_cmd)
from notify.command import notify_test_cmd  # noqa: E402

app.command("notify-test")(notify_test_cmd)
from dulieumo import cli_schedule  # noqa: E402  (schedule, serve, status)

cli_schedule.register(app)
from dulieumo.cli_new import register_new  # noqa: E402  (catalogue stream: `dulieumo new`)

register_new(app, guarded, emit)

from dulieumo.cli_validate import quarantine_cmd  # noqa: E402

app.command("quarantine")(quarantine_cmd)


def main() -> None:
    app(prog_name="dulieumo")


if __name__ == "__main__":
    main()
