"""Secrets in Prefect Secret blocks, settings in Prefect variables (DULIEUMO_SETTINGS_FROM=prefect),
the environment as the fallback; nothing secret in a deployment's parameters."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from dulieumo import prefect_values
from dulieumo.settings import settings
from pull.env import expand

pytestmark = pytest.mark.slow  # the session's Prefect server (tests/flows/conftest.py)


@pytest.fixture
def in_prefect() -> Iterator[None]:
    from prefect import get_client
    from prefect.blocks.system import Secret
    from prefect.variables import Variable

    Secret(value="token-from-prefect").save("ckan-api-token", overwrite=True)
    Secret(value="agency-token-from-prefect").save("so-y-te-token", overwrite=True)
    Secret(value="smtp-pw-from-prefect").save("dulieumo-smtp-password", overwrite=True)
    Variable.set("ckan_url", "https://dulieu.quangninh.gov.vn", overwrite=True)
    Variable.set("dulieumo_max_parallel", "3", overwrite=True)
    prefect_values.forget()
    yield
    with get_client(sync_client=True) as client:
        for name in ("ckan-api-token", "so-y-te-token", "dulieumo-smtp-password"):
            client.delete_block_document(client.read_block_document_by_name(name, "secret").id)
        for var in ("ckan_url", "dulieumo_max_parallel"):
            client.delete_variable_by_name(var)
    prefect_values.forget()


def test_prefect_first_then_the_environment(
    in_prefect: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CKAN_API_TOKEN", "token-from-env")
    monkeypatch.setenv("CKAN_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("DULIEUMO_SMTP_HOST", "smtp.quangninh.gov.vn")  # no variable of that name
    monkeypatch.setenv("OTHER_AGENCY_TOKEN", "other-from-env")  # no block of that name
    monkeypatch.delenv("DULIEUMO_SETTINGS_FROM", raising=False)

    # off (the default): the environment only, Prefect is never asked
    env_only = settings()
    assert env_only.ckan_api_token.get_secret_value() == "token-from-env"
    assert env_only.ckan_url == "http://127.0.0.1:1"

    monkeypatch.setenv("DULIEUMO_SETTINGS_FROM", "prefect")
    s = settings()
    assert s.ckan_api_token.get_secret_value() == "token-from-prefect"  # Secret block
    assert s.smtp_password.get_secret_value() == "smtp-pw-from-prefect"
    assert s.ckan_url == "https://dulieu.quangninh.gov.vn"  # variable
    assert s.max_parallel == "3"
    assert s.smtp_host == "smtp.quangninh.gov.vn"  # no variable: the environment
    assert "token-from-prefect" not in repr(s)

    # an agency's token named in a spec: the Secret block, else the environment
    header = expand("Bearer ${SO_Y_TE_TOKEN}", spec_file="x.yaml", field="source.headers.a")
    assert header == "Bearer agency-token-from-prefect"
    assert expand("${OTHER_AGENCY_TOKEN}", spec_file="x.yaml", field="f") == "other-from-env"


def test_a_missing_value_names_both_places(monkeypatch: pytest.MonkeyPatch) -> None:
    from dulieumo.errors import SpecError

    monkeypatch.setenv("DULIEUMO_SETTINGS_FROM", "prefect")
    monkeypatch.delenv("NOWHERE_TOKEN", raising=False)
    prefect_values.forget()
    with pytest.raises(SpecError) as info:
        expand("${NOWHERE_TOKEN}", spec_file="datasets/a/b.yaml", field="source.url")
    assert "NOWHERE_TOKEN" in info.value.message
    assert "nowhere-token" in (info.value.hint or "")


def test_no_secret_in_deployment_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    from dulieumo.catalog import load_catalog
    from flows.schedule import build_deployments
    from tests.support.catalog import REPO_ROOT

    monkeypatch.setenv("CKAN_API_TOKEN", "tok-must-not-leak")
    monkeypatch.setenv("DULIEUMO_SMTP_PASSWORD", "pw-must-not-leak")
    for dep in build_deployments(load_catalog(REPO_ROOT), work_pool="dulieumo"):
        text = json.dumps({"p": dep.parameters, "j": dep.job_variables}, default=str)
        assert "must-not-leak" not in text
        assert set(dep.parameters) <= {"dataset"}
