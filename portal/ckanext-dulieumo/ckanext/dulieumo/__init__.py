"""dulieumo's CKAN extension."""
