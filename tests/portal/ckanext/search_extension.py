"""Import the CKAN extension's CKAN-free modules from the project's own environment.

CKAN itself is not installed in `.venv`; the parser, the limits and the statement limit do
not import it, so they are tested here without a portal.
"""

from __future__ import annotations

import sys

from portal.settings import PortalSettings

EXTENSION_DIR = str(PortalSettings().extension_dir)
if EXTENSION_DIR not in sys.path:
    sys.path.insert(0, EXTENSION_DIR)
