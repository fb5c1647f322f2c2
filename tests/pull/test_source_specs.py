"""`source:` and `conventions:` spec keys: defaults, bad values with their field path, and
${VAR} / ${VAR:-default} expansion (an unset variable names the spec file and the field)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dulieumo.catalog import (
    ApiSource,
    CatalogSpecError,
    CkanSource,
    SqlSource,
    load_catalog,
)
from dulieumo.errors import SpecError
from pull import pull_source
from pull.env import expand
from tests.pull.helpers import make_spec
from tests.support.catalog import copy_catalog, edit_spec, spec_file

DATASET = "co-so-luu-tru"


def _load(tmp_path: Path, source: dict[str, Any], conventions: dict[str, Any] | None = None):
    root = copy_catalog(tmp_path)

    def change(d: dict[str, Any]) -> None:
        d["source"] = source
        if conventions is not None:
            d["conventions"] = conventions

    edit_spec(root, DATASET, change)
    return root, load_catalog(root).get(DATASET)


def test_every_source_type_loads_with_defaults(tmp_path: Path) -> None:
    _, api = _load(
        tmp_path,
        {
            "type": "api",
            "url": "${DULIEUMO_AGENCY_URL:-http://127.0.0.1:8765}/api/luu-tru",
            "records": "data",
            "pagination": {"style": "page"},
        },
    )
    assert isinstance(api.source, ApiSource) and api.source.pagination is not None
    assert (api.source.pagination.page_param, api.source.pagination.size) == ("page", 100)
    _, sql = _load(
        tmp_path / "b",
        {"type": "sql", "query": "select 1", "url": "postgresql://u:${DB_PASSWORD}@127.0.0.1/x"},
    )
    assert isinstance(sql.source, SqlSource)
    _, ckan = _load(
        tmp_path / "c", {"type": "ckan", "url": "https://data.gov.vn", "resource_id": "abc"}
    )
    assert isinstance(ckan.source, CkanSource) and ckan.source.datastore is True
    _, xlsx = _load(
        tmp_path / "d",
        {
            "type": "file",
            "path": "samples/x.xlsx",
            "excel": {"sheet": "Biểu 01", "header_rows": [5, 6]},
        },
        {"columns": {"Tên cơ sở": "ten", "STT": None}, "date_format": "%d/%m/%Y"},
    )
    assert xlsx.source.file_format("x.xlsx") == "xlsx"
    assert xlsx.source.excel.data_row == 7
    assert xlsx.conventions.columns["STT"] is None


@pytest.mark.parametrize(
    ("source", "conventions", "path", "fragment"),
    [
        ({"type": "ftp", "url": "x"}, None, "source", "'api'"),
        ({"type": "api"}, None, "source.url", "required"),
        (
            {"type": "api", "url": "http://a.vn", "pagination": {"style": "cursor"}},
            None,
            "source.pagination.style",
            "'next'",
        ),
        (
            {"type": "api", "url": "http://a.vn", "pagnation": {}},
            None,
            "source.pagnation",
            "Did you mean 'pagination'",
        ),
        ({"type": "sql", "url": "postgresql://x"}, None, "source.query", "required"),
        ({"type": "ckan", "url": "https://a.vn"}, None, "source.resource_id", "required"),
        (
            {"type": "http", "url": "https://a.vn/${TOKEN"},
            None,
            "source.url",
            "malformed environment variable",
        ),
        (
            {"type": "api", "url": "https://a.vn", "headers": {"Authorization": "Bearer ${T"}},
            None,
            "source.headers.Authorization",
            "malformed",
        ),
        (
            {"type": "file", "path": "a.xlsx", "excel": {"header_rows": [5, 7]}},
            None,
            "source.excel.header_rows",
            "adjacent",
        ),
        (
            {"type": "file", "path": "a.xlsx", "excel": {"header_rows": [5], "first_data_row": 4}},
            None,
            "source.excel.first_data_row",
            "after",
        ),
        ({"type": "file", "path": "a.csv", "encoding": "viscii"}, None, "source.encoding", "vni"),
        (
            {"type": "file", "path": "a.csv"},
            {"group_char": ",", "decimal_char": ","},
            "conventions.group_char",
            "differ",
        ),
        (
            {"type": "file", "path": "a.csv"},
            {"date_format": "dd/mm/yyyy"},
            "conventions.date_format",
            "strftime",
        ),
        (
            {"type": "file", "path": "a.csv"},
            {"true_values": ["x"], "false_values": ["X"]},
            "conventions.false_values",
            "also a true value",
        ),
        (
            {"type": "file", "path": "a.csv"},
            {"column": {}},
            "conventions.column",
            "Did you mean 'columns'",
        ),
    ],
)
def test_bad_source_keys_name_file_and_field(
    tmp_path: Path,
    source: dict[str, Any],
    conventions: dict[str, Any] | None,
    path: str,
    fragment: str,
) -> None:
    with pytest.raises(CatalogSpecError) as info:
        _load(tmp_path, source, conventions)
    rel = spec_file(tmp_path, DATASET).relative_to(tmp_path).as_posix()
    problems = {(p.file, p.path): p.message for p in info.value.problems}
    assert (rel, path) in problems, problems
    assert fragment in problems[(rel, path)]


def test_expand() -> None:
    env = {"TOKEN": "t0k", "EMPTY": ""}
    assert expand("Bearer ${TOKEN}", spec_file="f", field="x", environ=env) == "Bearer t0k"
    assert (
        expand("${HOST:-http://127.0.0.1:8765}/a", spec_file="f", field="x", environ=env)
        == "http://127.0.0.1:8765/a"
    )
    assert expand("${EMPTY:-d}", spec_file="f", field="x", environ=env) == "d"
    assert expand("${EMPTY}", spec_file="f", field="x", environ=env) == ""
    with pytest.raises(SpecError) as info:
        expand("a ${NOPE} b", spec_file="datasets/so-y-te/x.yaml", field="source.url", environ=env)
    assert "datasets/so-y-te/x.yaml: source.url: the environment variable NOPE is not set" in str(
        info.value
    )


@pytest.mark.parametrize(
    "source",
    [
        {"type": "http", "url": "http://127.0.0.1:9/${DULIEUMO_TEST_UNSET_VAR}.csv"},
        {
            "type": "api",
            "url": "http://127.0.0.1:9/a",
            "headers": {"Authorization": "Bearer ${DULIEUMO_TEST_UNSET_VAR}"},
        },
        {
            "type": "sql",
            "url": "postgresql://u:${DULIEUMO_TEST_UNSET_VAR}@127.0.0.1/x",
            "query": "select 1",
        },
    ],
)
def test_unset_variable_stops_the_pull(
    tmp_path: Path, source: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DULIEUMO_TEST_UNSET_VAR", raising=False)
    spec = make_spec(tmp_path, source)
    with pytest.raises(SpecError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    field = "source.headers.Authorization" if "headers" in source else "source.url"
    assert (
        f"datasets/so-y-te/co-so-y-te.yaml: {field}: the environment variable "
        "DULIEUMO_TEST_UNSET_VAR is not set" in str(info.value)
    )


def test_spec_file_round_trip_keeps_the_template(tmp_path: Path) -> None:
    """The loaded spec holds ${VAR} as written: the secret is read only at pull time."""
    _root, spec = _load(
        tmp_path, {"type": "sql", "url": "postgresql://u:${DB_PASSWORD}@h/x", "query": "select 1"}
    )
    assert spec.source.url == "postgresql://u:${DB_PASSWORD}@h/x"
    assert "${DB_PASSWORD}" in yaml.safe_dump(spec.model_dump(by_alias=True, mode="json"))
