"""The sample catalogue's generator and the sample agency server (files, APIs, CKAN, SQL)."""
