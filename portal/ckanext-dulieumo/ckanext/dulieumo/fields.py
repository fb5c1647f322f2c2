"""Index fields that the index writer and the query compiler must agree on (no CKAN import)."""

from __future__ import annotations

#: fields that are text (matched word by word, diacritic-insensitively) in fielded queries;
#: each maps to the index fields whose folded text it searches. `text` (everything) uses tsv.
TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "title_ngram": ("title",),
    "name_ngram": ("name",),
    "notes": ("notes",),
    "author": ("author",),
    "maintainer": ("maintainer",),
    "res_name": ("res_name",),
    "res_description": ("res_description",),
    "urls": ("url", "res_url"),
}
