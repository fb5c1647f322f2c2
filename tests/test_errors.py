"""Errors carry where the problem is as fields; nobody parses the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from dulieumo.catalog import CatalogSpecError, Problem
from dulieumo.errors import PortalError, SourceError, SpecError


def test_fields_travel_to_json() -> None:
    exc = SpecError(
        "the column is missing", file="datasets/so-y-te/a.yaml", row=4, field="ten", dataset="a"
    )
    data = exc.to_dict()
    assert data["dataset"] == "a" and data["file"] == "datasets/so-y-te/a.yaml"
    assert data["row"] == 4 and data["field"] == "ten" and data["code"] == "spec-error"
    assert "row" not in PortalError("refused").to_dict()  # only what is known
    assert SpecError("x", code="publication-locked").code == "publication-locked"


def test_about_names_the_dataset_once_from_the_field_not_the_text() -> None:
    plain = PortalError("the portal refused the upload")
    assert plain.about("co-so-y-te") is plain
    assert plain.message == "Dataset 'co-so-y-te': the portal refused the upload"
    assert plain.dataset == "co-so-y-te"
    plain.about("co-so-y-te")
    assert plain.message.count("co-so-y-te") == 1
    # a message that names the dataset *in other words* still gets no second prefix:
    # the raiser said so with the field
    named = PortalError("Bộ dữ liệu co-so-y-te: quyền bị từ chối", dataset="co-so-y-te")
    named.about("co-so-y-te")
    assert named.message == "Bộ dữ liệu co-so-y-te: quyền bị từ chối"
    # and a message that quotes the name without the field is prefixed (no text matching)
    quoted = PortalError("'co-so-y-te' is locked")
    quoted.about("co-so-y-te")
    assert quoted.message.startswith("Dataset 'co-so-y-te': ")


def test_a_spec_problem_carries_its_file_and_field() -> None:
    exc = CatalogSpecError([Problem("datasets/so-y-te/a.yaml", "source.url", "not a URL")])
    assert (exc.file, exc.field) == ("datasets/so-y-te/a.yaml", "source.url")


def test_a_pull_error_says_which_dataset_in_its_field(tmp_path: Path) -> None:
    from pull import pull_source
    from tests.pull.helpers import make_spec

    spec = make_spec(tmp_path, {"type": "file", "path": "samples/khong-co.csv"})
    with pytest.raises(SourceError) as info:
        pull_source(spec, root=tmp_path, workdir=tmp_path / "run")
    assert info.value.dataset == spec.name


def test_flows_do_not_match_dataset_names_in_messages() -> None:
    root = Path(__file__).resolve().parent.parent / "flows"
    for path in root.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "in exc.message" not in text, path
        assert "exc.message.startswith" not in text, path


def test_schema_and_suite_problems_reach_catalog_check_as_values(tmp_path: Path) -> None:
    """A bad schema and a bad suite give SpecProblems (file, path, message), and `catalog
    check` lists them as they are: it no longer splits the message text."""
    from app.authoring.check import _from_error
    from validate.schema import load_schema, schema_from_descriptor
    from validate.suite import load_suite

    with pytest.raises(SpecError) as bad_schema:
        schema_from_descriptor(
            {"fields": [{"name": "a", "type": "nope"}, {"name": "a"}]}, "schemas/x.json"
        )
    paths = [(p.file, p.path) for p in bad_schema.value.problems]
    assert paths == [("schemas/x.json", "fields[0].type"), ("schemas/x.json", "fields[1].name")]
    assert str(bad_schema.value).startswith("schemas/x.json: fields[0].type: type 'nope'")

    schema_file = tmp_path / "s.json"
    schema_file.write_text('{"fields": [{"name": "so", "type": "integer"}]}', encoding="utf-8")
    suite_file = tmp_path / "v.json"
    suite_file.write_text(
        '{"expectations": [{"type": "expect_column_values_to_not_be_null",'
        ' "kwargs": {"column": "khong_co"}}]}',
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as bad_suite:
        load_suite(suite_file, load_schema(schema_file, root=tmp_path), root=tmp_path)
    (problem,) = bad_suite.value.problems
    assert (problem.file, problem.path) == ("v.json", "expectations[0].kwargs.column")
    assert problem.message.startswith("unknown column 'khong_co'")
    listed = _from_error(bad_suite.value, "fallback.yaml")
    assert [(p.file, p.path) for p in listed] == [("v.json", "expectations[0].kwargs.column")]


def test_an_error_without_problems_is_listed_whole_not_parsed() -> None:
    from app.authoring.check import _from_error

    exc = SpecError("codelists/x.csv: looks: like a path but is only a sentence")
    (problem,) = _from_error(exc, "datasets/a.yaml")
    assert (problem.file, problem.path) == ("datasets/a.yaml", "")
    assert problem.message == exc.message
