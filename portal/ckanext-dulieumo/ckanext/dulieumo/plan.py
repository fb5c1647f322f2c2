"""One search as one SQL statement: the WHERE clause is evaluated once per row.

The matching rows (narrow columns only: id, score, sort keys, facet values) are materialised
once; the hit count, the requested page (whose large ``doc`` is read for those rows only)
and every column facet (CKAN's default facets and core's organisation count, each from its
own ``facet_<field>`` column, ranked and cut per field) are read from them. The statement
answers rows of one shape, ``(part, field, value, number, doc, score)``:

- part 0: ``number`` is the hit count;
- part 1: a dataset of the page, ``number`` its position in the sort order;
- part 2: a facet value of ``field`` with its count in ``number``.

Parameters bound by the caller: the WHERE's own, ``rows``, ``start`` and, with facets,
``mincount`` and ``facet_limit``. This module does not import
CKAN.
"""

from __future__ import annotations

from dataclasses import dataclass

from .fields import TABLE
from .index_values import facet_column


@dataclass(frozen=True)
class SearchPlan:
    """The SQL of one search (see the module docstring)."""

    where: str
    score: str  # SQL of the relevance score
    sort: list[tuple[str, str]]  # (SQL expression on the table's columns, ASC|DESC)
    rows: int
    start: int
    facets: tuple[str, ...] = ()  # FACET_COLUMN_FIELDS to count, from their columns

    def sql(self) -> str:
        """The statement."""
        keys = [
            f"{expr if expr != 'score' else self.score} AS o{i}"
            for i, (expr, _) in enumerate(self.sort)
        ]
        order = ", ".join(
            f"o{i} {direction} NULLS LAST" for i, (_, direction) in enumerate(self.sort)
        )
        facets_col = "".join(f", {facet_column(f)}" for f in self.facets)
        wanted_keys = (", " + ", ".join(keys)) if self.rows > 0 else ""
        parts = [
            "SELECT 0 AS part, NULL AS field, NULL AS value, (SELECT count(*) FROM m) AS n, "
            "NULL::jsonb AS doc, NULL::double precision AS score"
        ]
        if self.rows > 0:
            parts.append(
                f"""SELECT 1, NULL, NULL, p.pos, t.doc, p.score
                FROM (SELECT index_id, score, row_number() OVER (ORDER BY {order}) AS pos
                      FROM (SELECT * FROM m ORDER BY {order}
                            LIMIT :rows OFFSET :start) AS top) AS p
                JOIN {TABLE} AS t USING (index_id)"""
            )
        for fname in self.facets:
            column = facet_column(fname)  # a fixed name: FACET_COLUMN_FIELDS only
            parts.append(
                f"""SELECT 2, '{fname}', value, c, NULL, NULL FROM (
                    SELECT v AS value, count(*) AS c FROM (SELECT unnest({column}) AS v FROM m) AS u
                    GROUP BY v HAVING count(*) >= :mincount
                    ORDER BY c DESC, v ASC LIMIT :facet_limit) AS {column}"""
            )
        return (
            f"WITH m AS MATERIALIZED (SELECT index_id, {self.score} AS score{facets_col}"
            f"{wanted_keys} FROM {TABLE} WHERE {self.where})\n" + "\nUNION ALL\n".join(parts)
        )
