"""The `dulieumo` command: one Typer app, the command groups registered in the order of
`dulieumo --help`. Each group lives in its own module; the output helpers in ``output``."""

from __future__ import annotations

import typer

from app.cli import catalog, demo, notify, portal, publish, report, schedule, validate

app = typer.Typer(
    help="Publish a province's open data: pull from agencies, validate, publish to CKAN.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(portal.portal_app, name="portal")
app.add_typer(catalog.catalog_app, name="catalog")
app.command("validate")(validate.validate_cmd)
app.command("publish")(publish.publish_cmd)
app.command("releases")(publish.releases_cmd)
app.command("rollback")(publish.rollback_cmd)
app.command("unlock")(publish.unlock_cmd)
app.command("demo")(demo.demo_cmd)
app.command("report")(report.report_cmd)
app.command("notify-test")(notify.notify_test_cmd)
app.command("schedule")(schedule.schedule_cmd)
app.command("serve")(schedule.serve_cmd)
app.command("status")(schedule.status_cmd)
app.command("new")(catalog.new_cmd)
app.command("quarantine")(validate.quarantine_cmd)


def main() -> None:
    app(prog_name="dulieumo")


if __name__ == "__main__":
    main()
