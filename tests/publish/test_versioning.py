"""Version levels from schema changes, and row diffs by primary key (pure logic)."""

from __future__ import annotations

import copy

import pytest

from publish.rowdiff import diff_rows
from publish.versioning import bump, compare_schemas

BASE = {
    "fields": [
        {"name": "ma", "type": "string", "constraints": {"required": True}},
        {"name": "so_giuong", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "loai", "type": "string", "constraints": {"enum": ["A", "B"]}},
    ],
    "primaryKey": ["ma"],
}


def _with(change) -> dict:
    s = copy.deepcopy(BASE)
    change(s)
    return s


@pytest.mark.parametrize(
    ("change", "level", "kind"),
    [
        (lambda s: s["fields"].pop(1), "major", "field-removed"),
        (lambda s: s["fields"][1].__setitem__("name", "so_giuong_benh"), "major", "field-removed"),
        (
            lambda s: s["fields"].append({"name": "ghi_chu", "type": "string"}),
            "minor",
            "field-added",
        ),
        (lambda s: s["fields"][1].__setitem__("type", "number"), "minor", "type-changed"),
        (lambda s: s["fields"][1].__setitem__("type", "boolean"), "major", "type-changed"),
        (lambda s: s.__setitem__("primaryKey", ["ma", "loai"]), "major", "primary-key"),
        (
            lambda s: s["fields"][1]["constraints"].__setitem__("minimum", 5),
            "major",
            "constraint-changed",
        ),
        (lambda s: s["fields"][1]["constraints"].pop("minimum"), "minor", "constraint-changed"),
        (
            lambda s: s["fields"][2]["constraints"]["enum"].append("C"),
            "minor",
            "constraint-changed",
        ),
        (
            lambda s: s["fields"][2]["constraints"]["enum"].remove("B"),
            "major",
            "constraint-changed",
        ),
        (lambda s: s["fields"][0]["constraints"].pop("required"), "minor", "constraint-changed"),
        (lambda s: s["fields"][0].__setitem__("title", "Mã cơ sở"), "patch", "description-changed"),
    ],
)
def test_schema_change_levels(change, level, kind):
    result = compare_schemas(BASE, _with(change))
    assert result.level == level
    assert kind in {c.kind for c in result.changes}


def test_identical_schema_is_no_change_and_first_release_is_1_0_0():
    assert compare_schemas(BASE, copy.deepcopy(BASE)).level == "none"
    assert compare_schemas(None, BASE).level == "none"
    assert bump(None, "patch") == "1.0.0"
    assert bump("1.2.3", "patch") == "1.2.4"
    assert bump("1.2.3", "minor") == "1.3.0"
    assert bump("1.2.3", "major") == "2.0.0"


def test_breaking_changes_listed_with_vietnamese_messages():
    result = compare_schemas(BASE, _with(lambda s: s["fields"].pop(1)))
    assert [c.field for c in result.breaking] == ["so_giuong"]
    assert "Bỏ cột so_giuong" in result.breaking[0].message


def _csv(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text(
        "ma,so_giuong,loai\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8"
    )
    return p


def test_row_diff_by_primary_key(tmp_path):
    old = _csv(tmp_path, "old.csv", [("a", "1", "A"), ("b", "2", "A"), ("c", "3", "B")])
    new = _csv(tmp_path, "new.csv", [("a", "1", "A"), ("b", "5", "A"), ("d", "4", "B")])
    d = diff_rows(old, new, ["ma"])
    assert (d.added, d.removed, d.changed, d.unchanged) == (1, 1, 1, 1)
    assert d.samples["added"][0]["so_giuong"] == "4"
    assert d.samples["removed"][0]["loai"] == "B"
    assert d.samples["changed"][0] == {
        "key": "b",
        "before": {"so_giuong": "2"},
        "after": {"so_giuong": "5"},
    }


def test_row_diff_first_release_and_without_key(tmp_path):
    new = _csv(tmp_path, "new.csv", [("a", "1", "A"), ("b", "2", "A")])
    assert diff_rows(None, new, ["ma"]).added == 2
    old = _csv(tmp_path, "old.csv", [("a", "1", "A"), ("a", "1", "A")])
    d = diff_rows(old, new, [])
    assert (d.added, d.removed, d.unchanged) == (1, 1, 1)


def test_row_diff_caps_samples(tmp_path):
    new = _csv(tmp_path, "new.csv", [(f"k{i}", str(i), "A") for i in range(100)])
    d = diff_rows(_csv(tmp_path, "old.csv", []), new, ["ma"], sample_limit=5)
    assert d.added == 100 and len(d.samples["added"]) == 5


def test_retention_keeps_last_n_plus_one_per_year():
    from dataclasses import dataclass

    from publish.retention import RetentionPolicy

    @dataclass
    class R:
        version: str
        created: str

    rels = [
        R("1.0.0", "2024-03-01"),
        R("1.0.1", "2024-09-01"),
        R("1.1.0", "2025-02-01"),
        R("1.1.1", "2025-06-01"),
        R("1.1.2", "2026-01-01"),
        R("1.1.3", "2026-05-01"),
        R("1.1.4", "2026-09-01"),
    ]
    kept, dropped = RetentionPolicy(keep_last=2).select(rels)
    assert kept == ["1.1.4", "1.1.3", "1.1.1", "1.0.1"]
    assert set(dropped) == {"1.1.2", "1.1.0", "1.0.0"}
    assert RetentionPolicy().select(rels)[1] == []
    kept, _ = RetentionPolicy(keep_last=1, one_per_year=False).select(rels)
    assert kept == ["1.1.4"]
