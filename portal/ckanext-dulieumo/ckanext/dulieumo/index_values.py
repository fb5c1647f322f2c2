"""The flat columns of an index row, derived from CKAN's index document (see index.py).

``terms`` and the ``facet_*`` columns are derived in SQL from the jsonb document itself
(so they hold exactly the values the compiler's jsonb matches would read); the timestamps,
the name and the range values in Python. This module does not import CKAN.
"""

from __future__ import annotations

import json
from typing import Any

from .fields import FACET_COLUMN_FIELDS, TERM_MAX_CHARS, UNTERMED_FIELDS
from .ranges import parse_iso, sortable

#: the layout this code writes; rows of an older one are brought up to it by upgrade_rows
LAYOUT = 4
#: a field name a query can name (syntax.FIELD_RE, in PostgreSQL's regex syntax)
_FIELD_NAME = "'^[A-Za-z_][-A-Za-z0-9_.]*$'"


def _values(value: str) -> str:
    """SQL: the text values of one field as the compiler's jsonb matches read them."""
    return (
        f"jsonb_array_elements_text(CASE WHEN jsonb_typeof({value}) = 'array' THEN {value} "
        f"ELSE jsonb_build_array({value} #>> '{{}}') END)"
    )


def terms_sql(doc: str) -> str:
    """SQL: the `terms` array of a jsonb document expression (see the module docstring)."""
    untermed = ", ".join(f"'{f}'" for f in UNTERMED_FIELDS)
    return f"""ARRAY(SELECT DISTINCT CASE WHEN length(x) > {TERM_MAX_CHARS}
                    THEN '#' || md5(x) ELSE x END
        FROM (SELECT e.key || '=' || a.v AS x
              FROM jsonb_each({doc}) AS e(key, value), LATERAL {_values("e.value")}
                   AS a(v)
              WHERE e.key ~ {_FIELD_NAME} AND e.key NOT IN ({untermed}) AND a.v IS NOT NULL
              UNION ALL
              SELECT k FROM jsonb_object_keys({doc}) AS k WHERE k ~ {_FIELD_NAME}) AS t)"""


def facet_column(fname: str) -> str:
    """The column of one FACET_COLUMN_FIELDS field's values."""
    if fname not in FACET_COLUMN_FIELDS:
        raise ValueError(f"{fname!r} has no facet column")
    return f"facet_{fname}"


def facet_sql(doc: str, fname: str) -> str:
    """SQL: the distinct non-empty values of one facet field (a FACET_COLUMN_FIELDS name)."""
    facet_column(fname)  # only the fixed names reach SQL text
    return f"""ARRAY(SELECT DISTINCT a.v FROM {_values(f"({doc})->'{fname}'")} AS a(v)
        WHERE a.v IS NOT NULL AND a.v <> '')"""


def flat_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The flat columns computed in Python: timestamps, name and range values."""
    ranges = {
        k: number
        for k, v in doc.items()
        if isinstance(k, str) and not isinstance(v, (list, dict))
        for number in [sortable(v)]
        if number is not None
    }
    return {
        "modified": parse_iso(str(doc.get("metadata_modified") or "")),
        "created": parse_iso(str(doc.get("metadata_created") or "")),
        "name": doc.get("name"),
        "ranges": json.dumps(ranges),
    }


#: full-text weight → the index fields whose text gets it
WEIGHTS: dict[str, tuple[str, ...]] = {
    "A": ("title", "name"),
    "B": ("tags", "notes", "organization", "groups", "author", "maintainer"),
    "C": ("res_name", "res_description", "res_format", "license_id", "version", "url"),
}
