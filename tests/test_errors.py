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
