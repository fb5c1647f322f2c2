"""Prefect flows joining pull → validate → publish.

Quiet, patient defaults for Prefect's embedded server on small machines (set before Prefect
is imported; the environment still wins), and the server of a running `dulieumo serve`
instead of a new temporary one per command (local_server.py).
"""

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

from .local_server import reuse_running_server

reuse_running_server()
