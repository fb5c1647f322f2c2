"""The indexes of a bulk-loaded DataStore table, as CKAN names and builds them.

CKAN's ``create_indexes`` builds a table's indexes one after the other: the full-text index
(GIN over ``_full_text``, ~75% of the time on 1,000,000 rows) and then the b-trees. PostgreSQL
builds two indexes of one table at the same time from two sessions, so the load builds the
full-text indexes in one session and the b-trees (the primary key's unique index, one per
filterable field) in another. The statements are CKAN's own: the full-text ones come from
CKAN's ``_build_fts_indexes``, the b-trees are named with CKAN's ``_generate_index_name``,
so a later ``create_indexes`` on the table (datastore_load runs one as a check) finds every
index in place and builds nothing.
"""

from __future__ import annotations

from typing import Any

#: the memory of the session building the full-text (GIN) index: GIN's build accumulates
#: entries in a tree and writes them out whenever the memory is full; a small tree is faster
#: to fill than a large one (1,000,000 rows: 7.5 s at 2-16 MB, 9.4 s at 256 MB, 9.8 s at 1 GB)
FULL_TEXT_MEMORY = "SET LOCAL maintenance_work_mem = '16MB'"

#: CKAN's statement shapes (ckanext/datastore/backend/postgres.py, create_indexes)
_WITH_METHOD = 'CREATE {unique} INDEX "{name}" ON "{res_id}" USING {method}({fields})'
_PLAIN = 'CREATE {unique} INDEX "{name}" ON "{res_id}" ({fields})'


def full_text_statements(resource_id: str, fields: list[dict[str, Any]]) -> list[str]:
    """CKAN's full-text index statements for the table (fields: [{id, type}]), after the
    session's memory setting for them."""
    from ckanext.datastore.backend.postgres import _build_fts_indexes

    statements, _ = _build_fts_indexes({"resource_id": resource_id}, _WITH_METHOD, fields)
    return [FULL_TEXT_MEMORY, *statements]


def btree_statements(resource_id: str, primary_key: list[str], indexes: list[str]) -> list[str]:
    """The primary key's unique index, then one index per filterable field, named by CKAN."""
    from ckanext.datastore.backend.postgres import _generate_index_name, identifier

    out = []
    wanted = ([primary_key] if primary_key else []) + [[f] for f in indexes if [f] != primary_key]
    for names in wanted:
        columns = ", ".join(identifier(n) for n in names)
        out.append(
            _PLAIN.format(
                unique="unique" if names == primary_key else "",
                name=_generate_index_name(resource_id, columns),
                res_id=resource_id,
                fields=columns,
            )
        )
    return out
