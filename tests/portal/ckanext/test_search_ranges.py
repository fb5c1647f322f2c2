"""Range queries of the search backend without a portal (issue 15, point 2).

`[a TO b]`, `{a TO b}`, open bounds, Solr date math, numbers; how ranges are parsed,
bounded (a range is a term), refused (400 messages) and compiled (bound parameters only).
The same queries against the running portal, private data included, are in
tests/portal/test_search_ranges.py.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import index_values, limits, query, ranges  # isort: skip

Budget, QueryError, Range = query.Budget, query.QueryError, query.Range
NOW = datetime(2026, 3, 31, 15, 45, 30, 250000, tzinfo=UTC)


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "metadata_modified:[2020-01-01T00:00:00Z TO *]",
            Range("metadata_modified", "2020-01-01T00:00:00Z", None, True, True),
        ),
        ("num_resources:[* TO 5]", Range("num_resources", None, "5", True, True)),
        ("num_resources:{1 TO 5}", Range("num_resources", "1", "5", False, False)),
        ("num_resources:[1 TO 5}", Range("num_resources", "1", "5", True, False)),
        (
            'metadata_created:["2020-01-01T00:00:00Z" TO "NOW"]',
            Range("metadata_created", "2020-01-01T00:00:00Z", "NOW", True, True),
        ),
    ],
)
def test_ranges_parse_as_solr_reads_them(text, expected):
    assert query.parse(text, None, Budget(), "fq") == expected


def test_ranges_combine_with_other_clauses_and_inside_field_groups():
    node = query.parse(
        "+capacity:public metadata_modified:[NOW-1DAY TO NOW] -num_tags:[* TO 0]", None
    )
    assert isinstance(node, query.Bool) and node.op == "and"
    assert node.items[1] == Range("metadata_modified", "NOW-1DAY", "NOW")
    assert node.items[2] == query.Not(Range("num_tags", None, "0"))
    group = query.parse("num_resources:([5 TO *] OR 0)", None)
    assert group == query.Bool(
        "or", [Range("num_resources", "5", None), query.Match("num_resources", "0")]
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[2020 TO 2021]", "has no field"),
        ("metadata_modified:[2020-01-01T00:00:00Z TO", "Unclosed range"),
        ("metadata_modified:[2020-01-01 2021-01-01]", "Cannot read the range"),
        ("metadata_modified:[a TO b TO c]", "Cannot read the range"),
    ],
)
def test_malformed_ranges_are_refused_with_a_message(text, message):
    with pytest.raises(QueryError, match=message):
        query.parse(text, None, Budget(), "fq")


def test_a_range_counts_toward_the_term_cap():
    budget = Budget(max_terms=5)
    query.parse("num_tags:[1 TO 2] num_resources:[1 TO 2]", None, budget, "fq")  # 4 terms
    assert budget.terms == 4
    with pytest.raises(QueryError, match="Too many search terms"):
        query.parse("metadata_modified:[NOW-1DAY TO *]", None, budget, "fq")


def test_free_text_brackets_stay_plain_text():
    node = query.parse_free_text("bệnh viện [2020 TO 2021]")
    assert isinstance(node, query.Bool)
    assert all(isinstance(m, query.Match) and m.field is None for m in node.items)


def test_check_search_accepts_the_harvesters_filters():
    allowed = limits.allowed_facet_fields({})
    for fq in (
        "metadata_modified:[2020-01-01T00:00:00Z TO *]",  # ckanext-harvest's CKAN harvester
        "metadata_modified:[2018-03-22T00:00:00Z TO NOW]",  # ckanext-dcat 2.4.4 modified_since
    ):
        limits.check_search({"fq": fq}, limits.SearchLimits(), allowed)


# ----------------------------------------------------------------------------- bounds


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("2020-01-01T00:00:00Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01T07:00:00.123456789Z", datetime(2020, 1, 1, 7, 0, 0, 123456, tzinfo=UTC)),
        ("2020-01-01", datetime(2020, 1, 1, tzinfo=UTC)),
        ("2020-01-01T07:00:00+07:00", datetime(2020, 1, 1, tzinfo=UTC)),
        # ckanext-dcat 2.4.4: dateutil's isoformat() + "Z" of an aware modified_since
        ("2020-01-01T07:00:00+07:00Z", datetime(2020, 1, 1, tzinfo=UTC)),
        ("NOW", NOW),
        ("NOW-1DAY", datetime(2026, 3, 30, 15, 45, 30, 250000, tzinfo=UTC)),
        ("NOW/DAY", datetime(2026, 3, 31, tzinfo=UTC)),
        ("NOW-1DAY/DAY", datetime(2026, 3, 30, tzinfo=UTC)),
        ("NOW/DAY+1DAY", datetime(2026, 4, 1, tzinfo=UTC)),
        ("NOW-1MONTH", datetime(2026, 2, 28, 15, 45, 30, 250000, tzinfo=UTC)),  # day clamped
        ("NOW+2YEARS/MONTH", datetime(2028, 3, 1, tzinfo=UTC)),
        ("NOW/YEAR", datetime(2026, 1, 1, tzinfo=UTC)),
        ("NOW-6HOURS/HOUR", datetime(2026, 3, 31, 9, tzinfo=UTC)),
        ("NOW-90MINUTES", datetime(2026, 3, 31, 14, 15, 30, 250000, tzinfo=UTC)),
        ("NOW/SECOND-30SECONDS", datetime(2026, 3, 31, 15, 45, tzinfo=UTC)),
        ("NOW/MILLI", NOW),
        ("2020-01-31T00:00:00Z+1MONTH", datetime(2020, 2, 29, tzinfo=UTC)),
    ],
)
def test_dates_and_date_math(bound, expected):
    assert ranges.parse_date(bound, "metadata_modified", NOW) == expected


@pytest.mark.parametrize(
    ("bound", "message"),
    [
        ("yesterday", "Cannot read the date 'yesterday'"),
        ("2020-13-01T00:00:00Z", "not a real date"),
        ("2020-02-30", "not a real date"),
        ("NOW-1FORTNIGHT", "Unknown date unit 'FORTNIGHT'"),
        ("NOW-1", "Cannot read the date math '-1'"),
        ("NOW-999999YEARS", "out of range"),
        ("NOW; DROP TABLE package", "Cannot read the date math"),
    ],
)
def test_bad_dates_name_the_field_the_bound_and_the_forms(bound, message):
    with pytest.raises(QueryError, match=message) as info:
        ranges.parse_date(bound, "metadata_modified", NOW)
    assert "metadata_modified" in str(info.value)


def test_numbers():
    assert ranges.parse_number("5", "num_tags") == 5.0
    assert ranges.parse_number("-2.5e3", "num_tags") == -2500.0
    for bad in ("NOW", "nan", "inf", "1e999", "five", "0x10"):
        with pytest.raises(QueryError, match="as a number in the range of 'num_tags'"):
            ranges.parse_number(bad, "num_tags")


def test_index_values_for_ranges():
    assert ranges.sortable("2020-01-01T00:00:00Z") == datetime(2020, 1, 1, tzinfo=UTC).timestamp()
    assert ranges.sortable("2026-12-06T07:00:00.123456Z") is not None
    assert ranges.sortable(3) == 3.0 and ranges.sortable("3") == 3.0
    for other in (True, "1.0.0", "monthly", None, "2020-02-30", float("nan"), "x" * 50):
        assert ranges.sortable(other) is None
    values = index_values.flat_values(
        {
            "name": "a",
            "metadata_modified": "2026-12-06T07:00:00.5Z",
            "num_tags": 2,
            "temporal_start": "2020-01-01",
            "tags": ["2020-01-01"],
        }
    )
    assert values["modified"] == datetime(2026, 12, 6, 7, 0, 0, 500000, tzinfo=UTC)
    assert values["created"] is None and values["name"] == "a"
    assert '"num_tags": 2.0' in values["ranges"] and '"temporal_start"' in values["ranges"]
    assert '"tags"' not in values["ranges"]  # lists are not range values


# ----------------------------------------------------------------------------- compiling


def compiled(fq: str, range_fields: query.RangeFields | None = None) -> query.Compiled:
    return query.compile_query(None, [fq], None, None, Budget(), range_fields)


def test_metadata_dates_compare_their_timestamp_columns_with_bound_values():
    c = compiled("metadata_modified:{2020-01-01T00:00:00Z TO 2021-01-01T00:00:00Z]")
    assert "modified > :p0" in c.sql and "modified <= :p1" in c.sql
    assert c.params == {
        "p0": datetime(2020, 1, 1, tzinfo=UTC),
        "p1": datetime(2021, 1, 1, tzinfo=UTC),
    }
    c = compiled("metadata_created:[* TO *]")
    assert c.sql == "(created IS NOT NULL)" and c.params == {}


def test_other_fields_compare_the_ranges_column():
    c = compiled("num_resources:[2 TO *]")
    assert "ranges->>:p0" in c.sql and c.params == {"p0": "num_resources", "p1": 2.0}
    c = compiled("release_date:[2020-01-01 TO *]")  # any *_date, as in CKAN's Solr schema
    assert c.params["p1"] == datetime(2020, 1, 1, tzinfo=UTC).timestamp()


def test_ranges_on_undeclared_fields_are_refused_unless_ckan_ini_declares_them():
    for fq in ("title:[a TO b]", "name:[a TO *]", "extras_so_luong:[1 TO 2]"):
        with pytest.raises(QueryError, match=r"Cannot search .* by range: .*search_date_fields"):
            compiled(fq)
    declared = limits.range_fields_from_config(
        {limits.NUMBER_FIELDS_OPTION: "extras_so_luong so_luong", limits.DATE_FIELDS_OPTION: "ngay"}
    )
    assert compiled("extras_so_luong:[1 TO 2]", declared).params["p1"] == 1.0
    assert compiled("ngay:[NOW-1YEAR TO *]", declared).sql.startswith("(CAST(ranges")
    with pytest.raises(QueryError, match="as a number"):
        compiled("so_luong:[NOW TO *]", declared)


def test_a_bad_bound_is_a_query_error_at_compile_time():
    with pytest.raises(QueryError, match="Cannot read the date 'hom-qua'"):
        compiled("metadata_modified:[hom-qua TO *]")
