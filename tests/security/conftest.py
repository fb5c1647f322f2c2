"""The security tests share the flow tests' Prefect server (one for the run)."""

from tests.flows.conftest import prefect_server  # noqa: F401
