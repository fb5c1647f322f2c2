"""dulieumo: the pipeline that publishes a province's open data to its CKAN portal."""

__version__ = "0.1.0"
