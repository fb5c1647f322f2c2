"""Index fields that the index writer and the query compiler must agree on (no CKAN import)."""

from __future__ import annotations

#: the search index table (index.py writes it, plan.py and the compiler read it)
TABLE = "dulieumo_search_doc"

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


#: fields of CKAN's Solr schema (ckan/config/solr/schema.xml, 2.12) that can be queried
SCHEMA_FIELDS = {
    "index_id",
    "id",
    "site_id",
    "title",
    "title_ngram",
    "entity_type",
    "dataset_type",
    "state",
    "name",
    "name_ngram",
    "revision_id",
    "version",
    "url",
    "ckan_url",
    "download_url",
    "notes",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "license_id",
    "tags",
    "groups",
    "organization",
    "capacity",
    "permission_labels",
    "res_name",
    "res_description",
    "res_format",
    "res_url",
    "res_type",
    "text",
    "urls",
    "depends_on",
    "dependency_of",
    "derives_from",
    "has_derivation",
    "links_to",
    "linked_from",
    "child_of",
    "parent_of",
    "metadata_created",
    "metadata_modified",
    "title_string",
    "type",
    "owner_org",
    "creator_user_id",
    "num_resources",
    "num_tags",
}
#: dynamic fields of that schema (any name with these prefixes is a field)
SCHEMA_PREFIXES = ("extras_", "res_extras_", "vocab_")
#: full-text fields: matched against the weighted vector of everything
ALL_TEXT_FIELDS = {"text"}

# ----------------------------------------------------------------------------- flat columns
#: fields whose values are counted as facets from the `facets` column in one pass (CKAN's
#: default facets and core's own organisation count); other allowed facets read `doc`
FACET_COLUMN_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "owner_org")
#: fields kept out of the `terms` column (large JSON copies of the dataset): exact matches on
#: them read `doc`
UNTERMED_FIELDS = ("validated_data_dict", "data_dict")
#: a `terms` entry longer than this many characters is stored as "#" + its md5 (GIN entries
#: must stay small); the query side hashes the same way (compiler.term)
TERM_MAX_CHARS = 200
#: range fields with their own timestamp columns (also the sort keys)
DATE_COLUMNS = {"metadata_modified": "modified", "metadata_created": "created"}
#: fields holding dates that ranges accept (also any name ending in `_date`, as CKAN's Solr
#: schema declares `*_date` a date field) and fields holding numbers; ckan.ini adds more
DATE_FIELDS = frozenset({"metadata_modified", "metadata_created", "temporal_start", "temporal_end"})
NUMBER_FIELDS = frozenset({"num_resources", "num_tags"})
