"""Synthetic search-index rows for `bench/search` (`ckan dulieumo bench-index`): bench only.

Creating 10,000 datasets through `package_create` takes most of an hour on this machine, so
the search benchmark creates a handful of real *template* datasets through the API (names
``<prefix>tpl-…``) and this command clones their index documents ``count`` times through the
index writer itself (index.write_docs: every column the searches read is derived exactly as
for a real dataset). The clones exist in the search index only — there is no package row
behind them, so a dataset page of a clone answers 404 — and ``--remove`` deletes every index
row whose name starts with the prefix (templates are purged by the bench through the API).
Nothing else in the portal uses this.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from . import index

#: tags drawn for the clones: a realistic long tail (a few common, many rare)
_TAG_POOL = [f"chu-de-{i}" for i in range(400)]
_WORDS = ["bệnh viện", "trường học", "du lịch", "giao thông", "môi trường", "dân số", "đất đai"]


def _templates(prefix: str) -> list[dict[str, Any]]:
    rows = model.Session.execute(
        sa.text(f"SELECT doc FROM {index.TABLE} WHERE doc->>'name' LIKE :p ORDER BY index_id"),
        {"p": prefix.replace("_", "\\_") + "tpl-%"},
    )
    return [r[0] for r in rows]


def _clone(template: dict[str, Any], number: int, prefix: str, rng: random.Random) -> dict:
    doc = dict(template)
    new_id = str(uuid.UUID(int=rng.getrandbits(128)))
    name = f"{prefix}{number:06d}"
    title = f"{rng.choice(_WORDS).capitalize()} {number} {template.get('title', '')}"
    modified = datetime(2020, 1, 1) + timedelta(seconds=rng.randrange(6 * 365 * 86400))
    created = modified - timedelta(days=rng.randrange(400))
    tags = sorted(set(rng.choices(_TAG_POOL[:20], k=2) + rng.choices(_TAG_POOL, k=2)))
    site = str(doc.get("site_id", ""))
    doc.update(
        id=new_id,
        name=name,
        title=title,
        title_string=title,
        tags=tags,
        index_id=hashlib.md5(f"{site}{new_id}".encode()).hexdigest(),
        metadata_modified=modified.isoformat() + "Z",
        metadata_created=created.isoformat() + "Z",
    )
    for key in ("validated_data_dict", "data_dict"):
        if isinstance(doc.get(key), str):
            inner = json.loads(doc[key])
            inner.update(
                id=new_id,
                name=name,
                title=title,
                metadata_modified=modified.isoformat(),
                metadata_created=created.isoformat(),
                tags=[{"name": t, "display_name": t, "state": "active"} for t in tags],
                num_tags=len(tags),
            )
            doc[key] = json.dumps(inner, ensure_ascii=False)
    return doc


def add_clones(prefix: str, count: int, seed: int = 1, batch: int = 500) -> int:
    """Write `count` clones of the `<prefix>tpl-…` templates (numbered after those present).

    Returns how many were written; commits after every batch.
    """
    index.ensure_layout()
    templates = _templates(prefix)
    if not templates:
        raise SystemExit(f"no template datasets named {prefix}tpl-… in the search index")
    present = model.Session.execute(
        sa.text(
            f"SELECT count(*) FROM {index.TABLE} WHERE doc->>'name' LIKE :p "
            "AND doc->>'name' NOT LIKE :t"
        ),
        {"p": prefix.replace("_", "\\_") + "%", "t": prefix.replace("_", "\\_") + "tpl-%"},
    ).scalar()
    rng = random.Random(f"{seed}-{present}")
    start = int(present or 0)
    written = 0
    while written < count:
        docs = [
            _clone(
                templates[(start + written + i) % len(templates)], start + written + i, prefix, rng
            )
            for i in range(min(batch, count - written))
        ]
        index.write_docs(docs)
        model.Session.commit()
        written += len(docs)
    return written


def remove_clones(prefix: str) -> int:
    """Delete every index row whose name starts with `prefix` except the templates."""
    result = model.Session.execute(
        sa.text(
            f"DELETE FROM {index.TABLE} WHERE doc->>'name' LIKE :p AND doc->>'name' NOT LIKE :t"
        ),
        {"p": prefix.replace("_", "\\_") + "%", "t": prefix.replace("_", "\\_") + "tpl-%"},
    )
    model.Session.commit()
    return int(result.rowcount or 0)
