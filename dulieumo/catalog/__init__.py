"""The catalogue: the portal file and the dataset specs, as typed models."""

from .check import CatalogProblem, check_catalog
from .load import Catalog, load_catalog, load_dataset, load_portal
from .models import (
    DatasetSpec,
    FileSource,
    GroupSpec,
    HttpSource,
    OrganizationSpec,
    PortalSpec,
    SourceSpec,
    Text,
)

__all__ = [
    "Catalog", "CatalogProblem", "DatasetSpec", "FileSource", "GroupSpec", "HttpSource",
    "OrganizationSpec", "PortalSpec", "SourceSpec", "Text", "check_catalog", "load_catalog",
    "load_dataset", "load_portal",
]
