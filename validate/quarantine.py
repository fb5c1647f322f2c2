"""Quarantine: a rejected run's input and reports, kept where the officer can open them.

    <work root>/quarantine/<dataset>/<run>/
        input.csv         the normalised table that failed (what would have been published)
        report.json       the validation report
        report.html       the same, in Vietnamese, for people
        quarantine.json   dataset, run, when, source, error counts

Nothing from a quarantined run reaches the portal; `dulieumo quarantine [<dataset>]` lists
them, newest first.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

from dulieumo.paths import work_root
from dulieumo.redact import mask_data

from .findings import Report
from .html import write_html
from .schema import TableSchema


def quarantine_root() -> Path:
    return work_root() / "quarantine"


#: quarantined inputs may hold personal data: readable by their owner only
FILE_MODE = 0o600
FOLDER_MODE = 0o700


def _place(src: Path, dst: Path) -> None:
    """Hard link when possible (same disk, no copy of a big file), else copy; mode 0600
    either way (a link shares the mode of the run's own file, which becomes private too)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
    dst.chmod(FILE_MODE)


def _private_folder(folder: Path) -> None:
    """`folder` and its parents up to the quarantine root, mode 0700."""
    old = os.umask(0o077)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    finally:
        os.umask(old)
    base = quarantine_root()
    for path in (folder, *folder.parents):
        path.chmod(FOLDER_MODE)
        if path == base:
            break


def _private(path: Path) -> Path:
    path.chmod(FILE_MODE)
    return path


def quarantine(
    dataset: str,
    run: str,
    table: Path | None,
    report: Report,
    *,
    source: str | None = None,
    schema: TableSchema | None = None,
) -> Path:
    """Keep `table` and `report` under the quarantine area; returns the run's folder."""
    folder = quarantine_root() / dataset / run
    _private_folder(folder)
    if table is not None and table.is_file():
        dst = folder / "input.csv"
        if dst.exists():
            dst.unlink()
        _place(table, dst)
    _private(report.write_json(folder / "report.json"))
    _private(write_html(report, folder / "report.html", table=folder / "input.csv", schema=schema))
    meta = {
        "dataset": dataset,
        "run": run,
        "created": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "source": source or report.file,
        "rows": report.rows,
        "error_count": report.error_count,
        "warning_count": report.warning_count,
        "counts": dict(sorted(report.counts.items())),
    }
    meta_path = folder / "quarantine.json"
    meta_path.write_text(
        json.dumps(mask_data(meta), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    _private(meta_path)
    return folder


def list_quarantine(dataset: str | None = None) -> list[dict[str, Any]]:
    """Quarantined runs (of one dataset, or all), newest first, with their paths."""
    base = quarantine_root()
    if not base.is_dir():
        return []
    datasets = [base / dataset] if dataset else sorted(p for p in base.iterdir() if p.is_dir())
    out = []
    for ds in datasets:
        if not ds.is_dir():
            continue
        for run in ds.iterdir():
            meta_path = run / "quarantine.json"
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            files = {
                name: str(run / name)
                for name in ("input.csv", "report.json", "report.html")
                if (run / name).exists()
            }
            out.append(meta | {"path": str(run), "files": files})
    return sorted(out, key=lambda m: (m.get("created", ""), m.get("run", "")), reverse=True)
