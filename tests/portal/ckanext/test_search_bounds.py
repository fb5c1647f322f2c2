"""The search backend's limits and its query parser, without a portal (issue 12, finding 5).

Imports the extension's CKAN-free modules (query, limits, statement_limit); the statement
limit is checked against the real PostgreSQL server of the project's settings.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.settings import PortalSettings
from tests.portal.ckanext import search_extension  # noqa: F401  (puts ckanext on sys.path)

from ckanext.dulieumo import limits, query, statement_limit  # isort: skip

Budget, QueryError = query.Budget, query.QueryError
DEFAULTS = limits.SearchLimits()


# ----------------------------------------------------------------------------- parser limits


def test_nul_character_is_refused_naming_the_parameter():
    with pytest.raises(QueryError, match=r"'fq' contains a NUL character"):
        query.parse("name:a\x00b", None, DEFAULTS.budget(), "fq")
    with pytest.raises(QueryError, match="NUL"):
        query.parse_free_text("benh\x00vien", DEFAULTS.budget())


def test_over_long_text_is_refused_before_parsing():
    with pytest.raises(QueryError, match=r"'q' is 4001 characters long; .* at most 4000"):
        query.parse("x" * 4001, None, DEFAULTS.budget())
    query.parse("name:" + "x" * 3995, None, DEFAULTS.budget())


def test_deep_nesting_is_a_query_error_not_a_recursion_error():
    deep = "(" * 5000 + "name:x" + ")" * 5000
    with pytest.raises(QueryError, match="nests parentheses more than 10 levels"):
        query.parse(deep, None, Budget(max_depth=10), "fq")
    ok = "(" * 10 + "name:x" + ")" * 10
    assert query.parse(ok, None, Budget(max_depth=10)) == query.Match("name", "x")
    with pytest.raises(QueryError, match="nests"):
        query.parse("(" * 11 + "name:x" + ")" * 11, None, Budget(max_depth=10))


def test_terms_are_counted_over_q_and_every_fq_together():
    budget = Budget(max_terms=5)
    query.parse("a b c", None, budget, "q")
    query.parse("name:x OR name:y", None, budget, "fq")
    with pytest.raises(QueryError, match=r"Too many search terms \(at 'fq': 6 so far\)"):
        query.parse("tags:z", None, budget, "fq")


def test_a_field_group_counts_each_value():
    with pytest.raises(QueryError, match="Too many search terms"):
        query.parse("tags:(a OR b OR c OR d)", None, Budget(max_terms=3))


def test_folded_words_are_counted_when_compiled():
    node = query.parse("title:a.b.c.d.e", None, Budget(max_terms=3))  # one term
    with pytest.raises(QueryError, match=r"Too many words to search for \(5\)"):
        query.Compiler(budget=Budget(max_terms=3)).compile(node)


def test_local_parameters_are_refused_naming_the_parameter():
    with pytest.raises(QueryError, match=r"Local parameters .* in 'fq'"):
        query.parse("{!lucene}name:x", None, Budget(), "fq")


def test_sort_clauses_are_capped_and_sort_is_never_sql():
    params: dict[str, object] = {}
    with pytest.raises(QueryError, match="at most 5"):
        query.compile_sort(", ".join(["name asc"] * 6), params, 5)
    for hostile in ("name; DROP TABLE package", "name asc; DROP TABLE package", "(SELECT 1) asc"):
        with pytest.raises(QueryError, match="sort"):
            query.compile_sort(hostile, params, 5)
    order = query.compile_sort("extras_x desc", params, 5)
    assert "extras_x" not in order and "extras_x" in params.values()


# ----------------------------------------------------------------------------- visibility


LABELS = '+permission_labels:("public" OR "member-org-1")'


def test_field_names_are_looked_up_among_readable_datasets_only():
    asked: list[tuple[str, str, dict[str, object]]] = []

    def has_field(name: str, visible_sql: str, params: dict[str, object]) -> bool:
        asked.append((name, visible_sql, params))
        return name == "tan_suat"

    compiled = query.compile_query(
        "tan_suat:x", ["+capacity:public", LABELS], "dismax", has_field, Budget()
    )
    (name, visible_sql, params), *_ = asked
    assert name == "tan_suat"
    bound = [
        v for value in params.values() for v in (value if isinstance(value, list) else [value])
    ]
    assert "permission_labels=member-org-1" in bound  # bound as a `terms` entry, never SQL
    assert visible_sql != "TRUE" and visible_sql in compiled.sql
    assert compiled.visible_sql == visible_sql


def test_a_private_only_field_and_an_unknown_field_give_the_same_message():
    def has_field(name: str, visible_sql: str, params: dict[str, object]) -> bool:
        return False  # what the index answers for both under the caller's filter

    messages = []
    for fname in ("khoa_rieng_tu", "khoa_khong_co"):
        with pytest.raises(QueryError) as info:
            query.compile_query(f"{fname}:x", [LABELS], None, has_field, Budget())
        messages.append(str(info.value).replace(fname, "<f>"))
    assert messages[0] == messages[1]
    assert "no dataset you can read" in messages[0]


def test_a_caller_cannot_widen_the_visibility_scope():
    # a caller's own permission_labels filter only adds a conjunct to core's
    scope = query.visibility_filters(['+permission_labels:"member-victim" OR *:*', LABELS])
    assert len(scope) == 2
    compiled = query.compile_query(None, scope, None, None, Budget())
    assert compiled.visible_sql.count(" AND ") >= 1


# ----------------------------------------------------------------------------- request limits


ALLOWED = limits.allowed_facet_fields({})


def test_the_facet_allow_list_is_ckans_defaults_plus_cores_own():
    assert {"organization", "groups", "tags", "res_format", "license_id", "owner_org"} == ALLOWED
    more = limits.allowed_facet_fields(
        {"search.facets": "organization tags vocab_x", limits.EXTRA_FACETS_OPTION: "a, b"}
    )
    assert {"vocab_x", "a", "b"} <= more


@pytest.mark.parametrize(
    "fname", ["validated_data_dict", "data_dict", "name", "title", "notes", "text", "id"]
)
def test_facet_fields_off_the_allow_list_are_refused(fname):
    with pytest.raises(QueryError, match=rf"Cannot facet on '{fname}': .*organization"):
        limits.check_request({"facet.field": [fname]}, DEFAULTS, ALLOWED)


def test_facet_field_count_is_capped():
    with pytest.raises(QueryError, match=r"2000 fields; .* at most 20"):
        limits.check_request({"facet.field": ["tags"] * 2000}, DEFAULTS, ALLOWED)
    limits.check_request({"facet.field": '["tags", "organization"]'}, DEFAULTS, ALLOWED)


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("facet.limit", -1, True),
        ("facet.limit", 1000, True),
        ("facet.limit", -2, False),
        ("facet.limit", 1001, False),
        ("facet.limit", 10**20, False),
        ("facet.limit", "abc", False),
        ("start", 100_000, True),
        ("start", 100_001, False),
        ("start", -1, False),
        ("rows", 1000, True),
        ("rows", 1001, False),
        ("facet.mincount", 0, True),
        ("facet.mincount", -1, False),
    ],
)
def test_numbers_must_be_in_range(name, value, ok):
    if ok:
        limits.check_request({name: value}, DEFAULTS, ALLOWED)
    else:
        with pytest.raises(QueryError, match=rf"'{name}' must be an integer from"):
            limits.check_request({name: value}, DEFAULTS, ALLOWED)


def test_nul_in_any_parameter_is_refused():
    for params in ({"fl": ["name\x00"]}, {"sort": "name\x00 asc"}, {"extras": {"ext_a": "\x00"}}):
        with pytest.raises(QueryError, match="NUL"):
            limits.check_request(params, DEFAULTS, ALLOWED)


def test_check_search_parses_q_and_every_fq_with_one_budget():
    q = " ".join(f"tu{i}" for i in range(60))
    fq = " OR ".join(f"name:n{i}" for i in range(60))
    limits.check_search({"q": q}, DEFAULTS, ALLOWED)
    limits.check_search({"fq": fq}, DEFAULTS, ALLOWED)
    with pytest.raises(QueryError, match="Too many search terms"):
        limits.check_search({"q": q, "fq": fq}, DEFAULTS, ALLOWED)
    with pytest.raises(QueryError, match="Too many search terms"):
        limits.check_search({"q": q, "fq_list": [fq]}, DEFAULTS, ALLOWED)


def test_the_backstop_leaves_room_for_cores_permission_filter():
    labels = " OR ".join(f'"member-{i:032d}"' for i in range(150))
    core_fq = f"+permission_labels:({labels})"
    budget = DEFAULTS.backstop().budget()
    query.parse(" ".join(f"tu{i}" for i in range(100)), None, budget, "q")
    query.parse(core_fq, None, budget, "fq")


def test_limits_come_from_ckan_ini_options():
    assert limits.limits_from_config({}) == DEFAULTS
    assert DEFAULTS.timeout_ms == 5000
    custom = limits.limits_from_config(
        {"ckanext.dulieumo.search_timeout_ms": "8000", "ckanext.dulieumo.search_max_terms": 50}
    )
    assert custom.timeout_ms == 8000 and custom.max_terms == 50
    assert limits.limits_from_config({"ckan.search.rows_max": "5000"}).max_rows == 5000
    with pytest.raises(ValueError, match=r"search_timeout_ms must be a positive"):
        limits.limits_from_config({"ckanext.dulieumo.search_timeout_ms": "five"})


# ----------------------------------------------------------------------------- statement limit


@pytest.fixture(scope="module")
def pg_session():
    s = PortalSettings()
    url = sa.engine.URL.create(
        "postgresql+psycopg2",
        username=s.pg_superuser,
        password=s.pg_superuser_password or None,
        host=s.pg_host,
        port=s.pg_port,
        database="postgres",
    )
    engine = sa.create_engine(url, connect_args={"connect_timeout": 5})
    try:
        engine.connect().close()
    except sa.exc.OperationalError:
        pytest.skip("PostgreSQL is not reachable at the configured address")
    with Session(engine) as session:
        yield session
    engine.dispose()


def _timeout(session: Session) -> str:
    return str(session.execute(sa.text("SHOW statement_timeout")).scalar())


def test_postgresql_cancels_a_statement_past_the_limit(pg_session):
    before = _timeout(pg_session)
    started = time.monotonic()
    with (
        pytest.raises(statement_limit.SearchTimeout, match=r"longer than .* 0\.3 s"),
        statement_limit.time_limited(pg_session, 300) as deadline,
    ):
        deadline.execute("SELECT pg_sleep(20)", {})
    assert time.monotonic() - started < 10  # cancelled by the server, not after 20 s
    # the connection runs the next statement at once (one statement at a time: the sleep
    # was stopped on the server), the transaction is usable and the limit went with the
    # savepoint
    started = time.monotonic()
    assert pg_session.execute(sa.text("SELECT 1")).scalar() == 1
    assert time.monotonic() - started < 5
    assert _timeout(pg_session) == before
    pg_session.rollback()


def test_the_limit_covers_all_statements_of_a_search_together(pg_session):
    with (
        pytest.raises(statement_limit.SearchTimeout),
        statement_limit.time_limited(pg_session, 600) as deadline,
    ):
        for _ in range(5):  # each alone is under the limit, together they are over
            deadline.execute("SELECT pg_sleep(0.2)", {})
    pg_session.rollback()


def test_after_a_search_the_previous_timeout_is_restored(pg_session):
    before = _timeout(pg_session)
    with statement_limit.time_limited(pg_session, 2000) as deadline:
        assert deadline.execute("SELECT 41 + 1", {}).scalar() == 42
        assert _timeout(pg_session) != before  # set while the search runs
    assert _timeout(pg_session) == before
    pg_session.rollback()


def test_a_negated_match_without_words_excludes_nothing():
    # "te ; -- kiem": the dash before a dash has no words to exclude
    node = query.parse_free_text("co so -- kiem")
    sql = query.Compiler().compile(node)
    assert "NOT" not in sql
