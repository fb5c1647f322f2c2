"""The search plugin's guard: the portal's limits and facet allow-list, as CKAN errors.

``before_dataset_search`` is the IPackageController hook's body: it checks the caller's own
package_search parameters (limits.check_search) before core adds its filters, and answers a
refusal with SearchQueryError, which the Action API turns into HTTP 400 with the message.
"""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as toolkit
from ckan.lib.search.common import SearchQueryError

from .limits import (
    SearchLimits,
    allowed_facet_fields,
    check_search,
    limits_from_config,
    range_fields_from_config,
)
from .query import QueryError, RangeFields


def current_limits() -> SearchLimits:
    """The limits of ckan.ini (`ckanext.dulieumo.search_*`), defaults otherwise."""
    return limits_from_config(toolkit.config)


def current_facets() -> frozenset[str]:
    """The facet fields a search may ask for (limits.allowed_facet_fields)."""
    return allowed_facet_fields(toolkit.config)


def current_range_fields() -> RangeFields:
    """The fields range queries accept (limits.range_fields_from_config)."""
    return range_fields_from_config(toolkit.config)


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Refuse, as HTTP 400 with a message, a package_search this portal will not run."""
    try:
        check_search(search_params, current_limits(), current_facets())
    except QueryError as exc:
        raise SearchQueryError(str(exc)) from None
    return search_params
