"""Personal-data guard: true positives, false positives, masking, pii_allow, aggregates."""

from __future__ import annotations

from pathlib import Path

import pytest

from dulieumo.catalog.quality import AggregateSpec, QualitySpec
from dulieumo.errors import SpecError
from tests.validate.helpers import schema_of, write_json, write_text
from validate.findings import Report
from validate.guard import mask, plan
from validate.schema import load_schema
from validate.stage import validate_with

FREE = schema_of({"name": "ten"}, {"name": "ghi_chu"})


def guard_run(
    tmp_path: Path,
    rows: list[str],
    schema: dict = FREE,
    quality: QualitySpec | None = None,
    cap: int | None = None,
) -> Report:
    header = ",".join(f["name"] for f in schema["fields"])
    table = write_text(tmp_path / "data.csv", header + "\n" + "\n".join(rows) + "\n")
    loaded = load_schema(write_json(tmp_path / "schema.json", schema))
    return validate_with(
        table, loaded, None, dataset="thu-nghiem", file="data.csv", quality=quality, cap=cap
    )


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("CCCD 001099012345", "pii-cccd"),
        ("số 036188001234 cấp ngày 1/1/2020", "pii-cccd"),
        ("CMND: 123456789", "pii-cmnd"),
        ("Liên hệ 0912345678", "pii-mobile"),
        ("gọi 091 234 5678", "pii-mobile"),
        ("0388.123.456", "pii-mobile"),
        ("+84 912345678", "pii-mobile"),
        ("+84912345678", "pii-mobile"),
        ("ĐT 0203 3835 123", "pii-landline"),
        ("02033835123", "pii-landline"),
        ("+84 203 3835123", "pii-landline"),
        ("nguyen.van.a@gmail.com", "pii-email"),
        ("Thư: lan_tran+qn@quangninh.gov.vn", "pii-email"),
    ],
)
def test_personal_data_is_found_and_masked(tmp_path: Path, cell: str, code: str) -> None:
    rep = guard_run(tmp_path, [f'Ông A,"{cell}"'])
    assert {c: n for c, n in rep.counts.items() if c.startswith("pii-")} == {code: 1}
    (f,) = rep.by_code(code)
    assert (f.code, f.severity, f.row, f.field, f.file) == (code, "error", 2, "ghi_chu", "data.csv")
    assert f.value is not None and f.value != cell and "*" in f.value
    digits = "".join(ch for ch in cell if ch.isdigit())
    if code != "pii-email":
        assert digits not in "".join(ch for ch in f.value if ch.isdigit())
    else:
        local = cell.split("@")[0].split()[-1]
        assert local not in f.value
    assert f.value in f.message and cell not in f.message
    assert not rep.ok
    for other in rep.findings:  # no finding of any code shows the value unmasked
        assert cell not in other.message and other.value != cell


@pytest.mark.parametrize(
    "cell",
    [
        "Số 174 đường Hạ Long",  # short numbers
        "Mã số thuế 5700100256",  # 10 digits, not a mobile (5x is not 05x) nor CCCD
        "Diện tích 12345678901234 m2",  # 14 digits: no 12- or 9-digit run inside
        "1234567890123",  # 13 digits
        "0123456789",  # 01x is no Vietnamese mobile prefix
        "ngày 20/10/2024, 8 giờ",
        "www.quangninh.gov.vn",
        "@quangninh",
        "Tọa độ 21.0123456, 107.1234567",
    ],
)
def test_ordinary_text_is_not_flagged(tmp_path: Path, cell: str) -> None:
    rep = guard_run(tmp_path, [f'Ông A,"{cell}"'])
    assert not any(c.startswith("pii-") for c in rep.counts), rep.to_dict()["findings"]


def test_declared_codes_are_not_identity_numbers(tmp_path: Path) -> None:
    """A 12-digit facility code and a 10-digit enterprise code declared as codes (a pattern,
    a ma_ name, the primary key) are not CCCDs / phones; the same digits in free text are."""
    schema = schema_of(
        {"name": "ma_co_so", "constraints": {"pattern": "[0-9]{12}"}},
        {"name": "ma_doanh_nghiep"},
        {"name": "so_hieu_cs"},
        {"name": "ghi_chu"},
        primaryKey=["so_hieu_cs"],
    )
    rep = guard_run(
        tmp_path,
        [
            "001099012345,0912345678,036188001234,",
            "001099012346,0912345679,036188001235,001099012345",
        ],
        schema,
    )
    assert dict(rep.counts) == {"pii-cccd": 1}
    assert rep.findings[0].row == 3 and rep.findings[0].field == "ghi_chu"
    # e-mails are still looked for in declared codes
    rep = guard_run(tmp_path, ["001099012345,a@b.vn,036188001234,"], schema)
    assert dict(rep.counts) == {"pii-email": 1}
    assert rep.findings[0].field == "ma_doanh_nghiep"


def test_pii_allow_lets_a_field_through(tmp_path: Path) -> None:
    schema = schema_of({"name": "ten"}, {"name": "so_dien_thoai"}, {"name": "ghi_chu"})
    rows = ["BV tỉnh,0203 3825 499,ghi chú 0912345678"]
    assert guard_run(tmp_path, rows, schema).counts == {"pii-landline": 1, "pii-mobile": 1}
    rep = guard_run(tmp_path, rows, schema, QualitySpec(pii_allow=["so_dien_thoai"]))
    assert dict(rep.counts) == {"pii-mobile": 1}
    assert rep.findings[0].field == "ghi_chu"
    assert guard_run(tmp_path, rows, schema, QualitySpec(pii_allow=["so_dien_thoai", "ghi_chu"])).ok


def test_small_counts_in_aggregates(tmp_path: Path) -> None:
    schema = schema_of({"name": "ma_xa"}, {"name": "so_ca", "type": "integer"})
    quality = QualitySpec(aggregate=AggregateSpec(count_fields=["so_ca"], suppression_threshold=5))
    rep = guard_run(
        tmp_path, ["06700,3", "06701,0", "06702,5", "06703,", "06704,120"], schema, quality
    )
    assert dict(rep.counts) == {"pii-small-count": 1}
    (f,) = rep.findings
    assert (f.row, f.field, f.value, f.details["threshold"]) == (2, "so_ca", "3", 5)
    assert "5" in f.message
    # not an aggregate: nothing to suppress
    assert guard_run(tmp_path, ["06700,3"], schema).ok


def test_quality_naming_unknown_fields_is_a_spec_error(tmp_path: Path) -> None:
    schema = load_schema(
        write_json(
            tmp_path / "s.json", schema_of({"name": "ten"}, {"name": "so", "type": "integer"})
        )
    )
    with pytest.raises(SpecError, match=r"pii_allow: 'sdt' is not a field"):
        plan(schema, QualitySpec(pii_allow=["sdt"]), where="quality")
    with pytest.raises(SpecError, match=r"count_fields: 'ten' is a string field"):
        plan(schema, QualitySpec(aggregate=AggregateSpec(count_fields=["ten"])))


def test_many_bad_rows_make_a_capped_report(tmp_path: Path) -> None:
    rows = [f"A,0912{i:06d}" for i in range(5000)]
    rep = guard_run(tmp_path, rows, cap=7)
    assert rep.counts["pii-mobile"] == 5000
    assert len(rep.by_code("pii-mobile")) == 7
    assert len(rep.to_dict()["findings"]) == 7


def test_mask_keeps_shape_only() -> None:
    assert mask("0912345678", "pii-mobile") == "09******78"
    assert mask("gọi 0912.345.678 nhé", "pii-mobile") == "gọi 09**.***.*78 nhé"
    assert mask("a.b@gmail.com", "pii-email") == "a***@gmail.com"
