"""An activity for each release (and rollback) in the dataset's and organisation's streams.

The release switch writes the database directly (one transaction), so CKAN's activity
plugin, which listens to `package_update`, records nothing; and what the publisher does
before the switch happens while a new dataset is still private, where citizens never see
it. After the switch commits, `record` adds one "changed package" activity carrying the
release (version, kind, rollback, summary) with the dataset's current permission labels, so
a public dataset's release shows in the public streams. The activity snippet
(templates/snippets/activities/changed_package.html) words it in Vietnamese.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import get_permission_labels

from . import dataset_fields

log = logging.getLogger(__name__)


def release_data(releases_json: Any) -> dict[str, Any] | None:
    """What the activity says of the newest release (from the switch's release list)."""
    records = dataset_fields.releases_out(releases_json)
    if not records:
        return None
    row = dataset_fields.release_rows(records[:1], [])[0]
    return {
        "version": row["version"],
        "kind": row["kind"],
        "rollback_of": row["rollback_of"],
        "summary": row["summary"],
        "rows": row["rows"],
        "created": row["date_iso"],
    }


def record(context: dict[str, Any], pkg: model.Package, release: dict[str, Any] | None) -> None:
    """One activity for the release just switched in; never fails the (committed) switch."""
    if release is None or not tk.config.get("ckan.activity_streams_enabled", True):
        return
    user = model.User.get(str(context.get("user") or ""))
    if user is None:
        return
    try:
        shown = tk.get_action("package_show")(
            {"ignore_auth": True, "for_view": False}, {"id": pkg.id}
        )
        tk.get_action("activity_create")(
            {"ignore_auth": True, "user": user.name},
            {
                "user_id": user.id,
                "object_id": pkg.id,
                "activity_type": "changed package",
                "data": {"package": shown, "actor": user.name, "dulieumo_release": release},
                "permission_labels": get_permission_labels().get_dataset_labels(pkg),
            },
        )
    except (KeyError, tk.ValidationError, tk.ObjectNotFound) as exc:  # no activity plugin
        log.warning("release activity of %s not recorded: %s", pkg.name, exc)
