"""One Prefect server for every command while `dulieumo serve` runs its embedded one.

Without a configured Prefect API (PREFECT_API_URL, in the environment or a Prefect profile)
every command starts Prefect's temporary server and stops it at exit (~4-10 s per command on
a small machine). `dulieumo serve` starts that embedded server once for as long as it runs
and advertises its URL in ``$PREFECT_HOME/dulieumo-serve.json`` (its pid beside it); other
commands (`dulieumo publish`, `validate` …) then use it (``reuse_running_server``, called
before Prefect is imported) when its process is alive and ``/health`` answers. Otherwise
nothing changes: a configured API is used as Prefect always does, and without one the
temporary server stays the default.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from dulieumo.settings import prefect_environment

FILE_NAME = "dulieumo-serve.json"


def advert_file() -> Path:
    """Where `dulieumo serve` advertises its server (Prefect's home folder)."""
    return prefect_environment()[1] / FILE_NAME


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
            return bool(resp.status == 200)
    except (OSError, ValueError):
        return False


def running_server() -> str | None:
    """The API URL `dulieumo serve` advertises, if its process lives and the server answers."""
    try:
        advert = json.loads(advert_file().read_text(encoding="utf-8"))
        url, pid = str(advert["url"]), int(advert["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not url.startswith("http://127.0.0.1:") or not _alive(pid):
        return None
    return url if _healthy(url) else None


def reuse_running_server() -> str | None:
    """Point Prefect at `dulieumo serve`'s server unless an API is configured (env only: a
    profile's URL is kept by serve itself, which then advertises nothing). Returns the URL."""
    if prefect_environment()[0]:
        return None
    url = running_server()
    if url:
        os.environ["PREFECT_API_URL"] = url
    return url


@contextmanager
def serving() -> Iterator[str | None]:
    """For `dulieumo serve`: without a configured API, start the embedded server now (the one
    Prefect's client would start) and advertise it until the block ends. Yields its URL."""
    from prefect.settings import PREFECT_API_URL

    # the environment first: Prefect 3.9 reads its settings once, at import
    if prefect_environment()[0] or PREFECT_API_URL.value():
        yield None
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the instance Prefect's own client uses
    server.start()
    path = advert_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": server.api_url, "pid": os.getpid()}), encoding="utf-8")
    tmp.replace(path)
    try:
        yield server.api_url
    finally:
        with suppress(OSError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
                path.unlink()
