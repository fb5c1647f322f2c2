"""Authoring the catalogue: `dulieumo new` drafts and `dulieumo catalog check`."""
