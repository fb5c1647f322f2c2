"""deploy/: the production portal's files are valid and carry the local portal's CKAN
settings and plugins (derived from portal/ckan_ini.py, never listed twice)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import yaml

from portal.ckan_ini import PLUGINS, render_ini
from portal.production import (
    PER_INSTALLATION,
    SEARCH_PLUGIN,
    render_production_ini,
    render_site_file,
)
from portal.settings import PortalSettings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _app_main(text: str) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return dict(parser["app:main"])


def _local() -> dict[str, str]:
    secrets = {"secret_key": "x", "ckan_db_password": "x", "datastore_ro_password": "x"}
    return _app_main(render_ini(PortalSettings(), secrets))


def test_committed_production_ini_is_current() -> None:
    committed = (DEPLOY / "ckan" / "production.ini").read_text(encoding="utf-8")
    assert committed == render_production_ini(), (
        "deploy/ckan/production.ini is stale: run `python -m portal.production` and commit it"
    )
    site = (DEPLOY / "ckan" / "site.json").read_text(encoding="utf-8")
    assert site == render_site_file(), (
        "deploy/ckan/site.json is stale: run `python -m portal.production` and commit it"
    )
    # nothing of the machine that generated it (paths, local addresses)
    assert "/work/" not in committed and "127.0.0.1" not in committed


def test_same_settings_and_plugins_as_the_local_portal() -> None:
    local, prod = _local(), _app_main(render_production_ini())
    assert set(prod) == set(local)  # no setting lost, none invented
    differing = {k for k in local if local[k] != prod[k]}
    assert differing == set(PER_INSTALLATION) | {"ckan.plugins"}
    assert prod["ckan.plugins"].split() == [p for p in PLUGINS.split() if p != SEARCH_PLUGIN]
    assert prod["solr_url"] == "http://solr:8983/solr/ckan"
    # our search plugin is optional: kept when production searches on PostgreSQL
    pg = _app_main(render_production_ini("postgresql"))
    assert pg["ckan.plugins"].split() == PLUGINS.split()
    # the per-installation placeholders are overridden by CKAN's own CKAN_* variables
    ckan_env = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"][
        "ckan"
    ]["environment"]
    for key, var in {
        "sqlalchemy.url": "CKAN_SQLALCHEMY_URL",
        "ckan.datastore.write_url": "CKAN_DATASTORE_WRITE_URL",
        "ckan.datastore.read_url": "CKAN_DATASTORE_READ_URL",
        "ckan.redis.url": "CKAN_REDIS_URL",
        "solr_url": "CKAN_SOLR_URL",
        "ckan.site_url": "CKAN_SITE_URL",
        "ckan.storage_path": "CKAN_STORAGE_PATH",
        "SECRET_KEY": "CKAN_SECRET_KEY",
    }.items():
        assert key in PER_INSTALLATION and var in ckan_env, (key, var)


def test_compose_layout() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"db", "solr", "redis", "ckan", "proxy", "backup"}
    assert services["solr"]["image"] == "ckan/ckan-solr:2.12-solr9"
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["proxy"]["ports"] == ["80:80", "443:443"]
    assert set(compose["volumes"]) == {"pg_data", "solr_data", "ckan_storage"}
    # every file a service mounts or builds from exists
    for name, svc in services.items():
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith("./"):
                assert (DEPLOY / src).is_file(), (name, src)
    build = services["ckan"]["build"]
    dockerfile = (DEPLOY / build["context"] / build["dockerfile"]).resolve()
    text = dockerfile.read_text(encoding="utf-8")
    assert re.search(r"^FROM ckan/ckan-base:2\.12\b", text, re.M)
    for copied in re.findall(r"^COPY (\S+)", text, re.M):
        assert (DEPLOY / build["context"] / copied).exists(), copied
    assert "ckanext-dulieumo" in text and "requirements-ckan.txt" in text
    # secrets only through deploy/.env: no literal password in the compose file
    for svc in services.values():
        for key, value in (svc.get("environment") or {}).items():
            if "PASSWORD" in key or "SECRET" in key:
                assert str(value).startswith("${") or "${" in str(value), (key, value)


def test_proxy_terminates_tls_and_passes_to_ckan() -> None:
    conf = (DEPLOY / "proxy" / "default.conf.template").read_text(encoding="utf-8")
    assert "listen 443 ssl" in conf and "ssl_certificate " in conf
    assert "proxy_pass http://ckan:5000" in conf
    assert "return 301 https://" in conf
    size = _local()["ckan.max_resource_size"]
    assert f"client_max_body_size {size}m" in conf  # the same upload limit as CKAN's
    example = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    needed = set(re.findall(r"\$\{(\w+):\?", (DEPLOY / "compose.yaml").read_text()))
    assert needed <= set(re.findall(r"^(\w+)=", example, re.M)), needed
