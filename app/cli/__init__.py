"""The `dulieumo` command line (console script ``dulieumo = "app.cli:main"``)."""

from app.cli.main import app, main

__all__ = ["app", "main"]
