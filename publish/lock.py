"""The client of the portal's per-dataset publication lock (`dulieumo_release_lock`).

One owner id per run: a Prefect flow run's id (so the flow's own retries take the lock their
first attempt left), otherwise one random id per process. While a release is prepared a
heartbeat thread renews the lock every ttl/3, so a long run keeps it and a crashed run's lock
expires after ttl. `dulieumo unlock <dataset>` clears a lock whose heartbeat has stopped.

The portal answers with a structured result (`status`, `mine`, `expires`, `stale`) and never
names the run holding a lock; this module decides on those fields, not on message text.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from dulieumo.config import PortalTarget
from dulieumo.errors import DulieumoError, PortalError, TerminalError

from .client import PortalClient

ACTION = "dulieumo_release_lock"
#: seconds a lock lasts without renewal (DULIEUMO_LOCK_TTL overrides; the portal allows 1..6 h)
DEFAULT_TTL_S = 600
_PROCESS_OWNER = f"local-{uuid.uuid4().hex}"


class PublicationLocked(TerminalError):
    code = "publication-locked"


class LockLost(TerminalError):
    code = "lock-lost"


def lock_owner(flow_run_id: str | None) -> str:
    """The run's lock owner: stable for a flow run (and its retries), else for this process."""
    return f"flow-run-{flow_run_id}" if flow_run_id else _PROCESS_OWNER


def lock_ttl() -> int:
    from dulieumo.settings import settings

    raw = settings().lock_ttl
    try:
        ttl = int(raw) if raw.strip() else DEFAULT_TTL_S
    except ValueError:
        raise TerminalError(
            f"DULIEUMO_LOCK_TTL={raw!r} is not a whole number of seconds.",
            hint="Set it to e.g. 600, or unset it.",
        ) from None
    return max(3, min(ttl, 6 * 3600))


def _call(client: PortalClient, dataset: str, organization: str | None, **data: Any) -> Any:
    payload = {"id": dataset, **data}
    if organization:
        payload["owner_org"] = organization
    return client.call(ACTION, payload)


class ReleaseLock:
    """Held for the duration of a `with` block, renewed by a heartbeat thread meanwhile."""

    def __init__(
        self,
        client: PortalClient,
        dataset: str,
        organization: str,
        owner: str,
        ttl: int | None = None,
    ) -> None:
        self.client = client
        self.dataset = dataset
        self.organization = organization
        self.owner = owner
        self.ttl = ttl or lock_ttl()
        self.lost = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> dict[str, Any]:
        answer = dict(
            _call(self.client, self.dataset, self.organization, owner=self.owner, ttl=self.ttl)
        )
        if answer.get("status") not in ("acquired", "renewed") or not answer.get("mine"):
            minutes = max(1, round(self.ttl / 60))
            raise PublicationLocked(
                f"Dataset '{self.dataset}' is being published by another run right now "
                f"(bộ dữ liệu đang được một lần chạy khác công bố); this run published nothing.",
                hint=f"Wait for the other run to finish, then run again. If that run crashed, "
                f"its lock expires within {minutes} minute(s), or clear it with "
                f"`dulieumo unlock {self.dataset}` once it is stale.",
            )
        return answer

    def renew(self) -> bool:
        answer = _call(
            self.client, self.dataset, self.organization, owner=self.owner, ttl=self.ttl, op="renew"
        )
        return bool(answer.get("status") == "renewed")

    def release(self) -> None:
        try:
            _call(self.client, self.dataset, self.organization, owner=self.owner, op="release")
        except DulieumoError:  # an expired lock is harmless; never mask the run's result
            pass

    def _heartbeat(self) -> None:
        # its own connection: the run's client is busy uploading in the main thread
        client = PortalClient(PortalTarget(self.client.url, self.client.token))
        beat = ReleaseLock(client, self.dataset, self.organization, self.owner, self.ttl)
        while not self._stop.wait(self.ttl / 3):
            try:
                if not beat.renew():
                    self.lost = True
                    return
            except DulieumoError:  # the portal hiccuped: try again at the next beat
                continue

    def __enter__(self) -> ReleaseLock:
        self.acquire()
        self._thread = threading.Thread(
            target=self._heartbeat, name=f"lock-heartbeat-{self.dataset}", daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.release()


@dataclass
class UnlockResult:
    dataset: str
    status: str  # cleared | free | held
    stale: bool
    expires: str | None
    renewed: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def unlock(
    client: PortalClient, dataset: str, organization: str | None, *, force: bool = False
) -> UnlockResult:
    """Clear a stale lock; a lock whose run still renews it is refused unless `force`."""
    try:
        answer = _call(client, dataset, organization, op="unlock", force=force)
    except PortalError as exc:
        raise PortalError(
            f"Dataset '{dataset}': the portal refused to clear its publication lock "
            f"({exc.message}).",
            hint="Use an editor token of the dataset's organisation (CKAN_API_TOKEN).",
        ) from None
    result = UnlockResult(
        dataset,
        str(answer.get("status")),
        bool(answer.get("stale")),
        answer.get("expires"),
        answer.get("renewed"),
    )
    if result.status == "held":
        raise PublicationLocked(
            f"Dataset '{dataset}' is locked by a run that is still alive (last renewed "
            f"{result.renewed}); nothing was cleared.",
            hint="Wait for that run to finish. If you are sure no run publishes it, "
            f"`dulieumo unlock {dataset} --force`.",
        )
    return result
