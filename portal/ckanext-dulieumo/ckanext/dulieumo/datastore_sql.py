"""``datastore_search_sql`` for developers: stable names and clear refusals.

- A DataStore alias (``co_so_luu_tru``, or the "latest data" resource's id) is a view of one
  release's table. CKAN checks every table name of a query as a resource id, so an alias was
  "not found". The chained auth function checks the table each alias is a view of instead,
  with CKAN's own rule (``resource_show`` on that resource): an alias is readable exactly when
  the table behind it is, as in ``datastore_search``.
- A missing, empty or non-text ``sql`` is a 409 naming the parameter (it was a 500).
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
import sqlalchemy as sa

MAX_SQL_CHARS = 100_000


@tk.side_effect_free  # GET, like the DataStore's own action
@tk.chained_action
def datastore_search_sql(
    next_action: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    sql = data_dict.get("sql")
    if not isinstance(sql, str) or not sql.strip():
        raise tk.ValidationError(
            {"sql": ['Missing value: send one SELECT statement, e.g. SELECT * FROM "<id>"']}
        )
    if len(sql) > MAX_SQL_CHARS:
        raise tk.ValidationError({"sql": [f"longer than {MAX_SQL_CHARS} characters"]})
    return next_action(context, data_dict)


def tables_behind(names: list[str]) -> list[str]:
    """Each name, or the table(s) it is a DataStore alias of."""
    from ckanext.datastore.backend.postgres import get_read_engine

    engine = get_read_engine()
    out: list[str] = []
    with engine.connect() as conn:
        for name in names:
            rows = conn.execute(
                sa.text('SELECT alias_of FROM "_table_metadata" WHERE name = :n'), {"n": name}
            ).fetchall()
            targets = [str(r[0]) for r in rows if r[0] is not None]
            out.extend(targets or [name])
    return out


@tk.chained_auth_function
@tk.auth_allow_anonymous_access
def datastore_search_sql_auth(
    next_auth: Any, context: dict[str, Any], data_dict: dict[str, Any]
) -> Any:
    names = [str(n) for n in context.get("table_names", [])]
    return next_auth({**context, "table_names": tables_behind(names)}, data_dict)
