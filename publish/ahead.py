"""The row diff computed ahead: while the new table is validated, another thread fetches
the latest release's file and compares the rows, so that planning the release does not.

Only a courtesy: planning uses it when it compared the very table being published (its
sha256; formula escaping after validation makes another file) with the release that is
still the latest, by the same key; otherwise, or when it failed, planning compares again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .client import PortalClient
from .rowdelta import RowDiff
from .state import ReleaseState
from .versioning import primary_key

if TYPE_CHECKING:
    from dulieumo.tables import PulledTable


@dataclass(frozen=True)
class DiffAhead:
    previous_version: str
    previous_csv: Path
    table_sha256: str
    key: list[str]
    diff: RowDiff

    def fits(self, latest_version: str | None, table_sha256: str, key: list[str]) -> bool:
        return (latest_version, table_sha256, key) == (
            self.previous_version,
            self.table_sha256,
            self.key,
        )


def diff_ahead(
    client: PortalClient, name: str, table: PulledTable, schema: dict[str, Any], workdir: Path
) -> DiffAhead | None:
    """The diff of `table` against dataset `name`'s latest release (None: no release)."""
    state = ReleaseState.read(client.exists("package_show", name))
    latest = state.latest
    if latest is None:
        return None
    prev = state.download(client, latest, "release-data", workdir / "previous-ahead.csv")
    if prev is None:
        return None
    key = primary_key(schema)
    from .rowdiff import diff_rows  # numpy: only where rows are compared

    return DiffAhead(latest.version, prev, table.sha256, key, diff_rows(prev, table.path, key))


def start(work: Callable[[], DiffAhead | None]) -> Future[DiffAhead | None]:
    """`work` in a daemon thread of its own (a run that stops early, on invalid data, does
    not wait for it at exit); its future."""
    future: Future[DiffAhead | None] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever asks for the result
            future.set_exception(exc)

    threading.Thread(target=run, name="dulieumo-diff-ahead", daemon=True).start()
    return future


def result(future: Future[DiffAhead | None] | None) -> DiffAhead | None:
    """What the thread found; None when it failed (planning compares again)."""
    if future is None:
        return None
    try:
        return future.result()
    except Exception:  # a courtesy: never fail a run for it
        return None
