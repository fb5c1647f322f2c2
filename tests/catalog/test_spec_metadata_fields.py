"""The spec's metadata fields for the portal's dataset schema (issue 14.3): temporal
coverage, the contact point, the source's name; a bad value names file and field path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dulieumo.catalog import CatalogSpecError, load_catalog
from tests.support.catalog import copy_catalog
from tests.support.catalog import read_yaml as read
from tests.support.catalog import write_yaml as write

HEALTH = "datasets/so-y-te/co-so-kham-chua-benh.yaml"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_catalog(tmp_path / "cat")


def test_temporal_contact_and_source_name_are_read(root: Path) -> None:
    data = read(root, HEALTH)
    data["temporal"] = {"start": "2020-01-01", "end": "2026-06-30"}
    data["contact"] = {
        "name": "Bộ phận một cửa",
        "email": "motcua.syt@quangninh.gov.vn",
        "phone": "0203 3825 123",
    }
    data["source_name"] = "Phần mềm quản lý cơ sở y tế của Sở Y tế"
    write(root, HEALTH, data)
    spec = load_catalog(root).get("co-so-kham-chua-benh")
    assert spec.temporal is not None
    assert (spec.temporal.start, spec.temporal.end) == (dt.date(2020, 1, 1), dt.date(2026, 6, 30))
    assert spec.contact is not None and spec.contact.name == "Bộ phận một cửa"
    assert str(spec.contact.email) == "motcua.syt@quangninh.gov.vn"
    assert spec.source_name == "Phần mềm quản lý cơ sở y tế của Sở Y tế"


def test_temporal_end_is_optional(root: Path) -> None:
    data = read(root, HEALTH)
    data["temporal"] = {"start": "2024-01-01"}
    write(root, HEALTH, data)
    spec = load_catalog(root).get("co-so-kham-chua-benh")
    assert spec.temporal is not None and spec.temporal.end is None


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        data[key] = value

    return edit


BROKEN = [
    ("end-before-start", _set("temporal", {"start": "2026-01-01", "end": "2025-12-31"}),
     "temporal.end", "must not be before temporal.start (2026-01-01)"),
    ("not-a-date", _set("temporal", {"start": "31/02/2021"}), "temporal.start", "date"),
    ("placeholder-phone", _set("contact", {"phone": "0203 3825 XXX"}), "contact.phone",
     "not a phone number citizens can dial"),
    ("bad-contact-email", _set("contact", {"email": "khong-phai-email"}), "contact.email",
     "email"),
    ("empty-source-name", _set("source_name", ""), "source_name", "at least 2"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "edit", "path", "fragment"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_bad_metadata_field_is_refused_naming_its_path(
    root: Path, case: str, edit: Callable[[dict[str, Any]], None], path: str, fragment: str
) -> None:
    data = read(root, HEALTH)
    edit(data)
    write(root, HEALTH, data)
    with pytest.raises(CatalogSpecError) as info:
        load_catalog(root).get("co-so-kham-chua-benh")
    problems = {p.path: p.message for p in info.value.problems}
    assert path in problems, problems
    assert fragment in problems[path], problems
    assert all(p.file == HEALTH for p in info.value.problems)
