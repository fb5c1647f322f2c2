"""The catalogue: the portal file and the dataset specs, as typed models.

from dulieumo.catalog import load_catalog
cat = load_catalog(root)          # datasets/portal.yaml + datasets/<agency>/<dataset>.yaml
spec = cat.get("co-so-kham-chua-benh")  # or "so-y-te/co-so-kham-chua-benh"
"""

from .load import (
    Catalog,
    CatalogSpecError,
    Problem,
    field_path,
    load_catalog,
    load_dataset,
    load_portal,
)
from .models import (
    Contact,
    DatasetSpec,
    FileSource,
    GroupSpec,
    HttpSource,
    Maintainer,
    OrganizationSpec,
    PortalSpec,
    Province,
    Retention,
    SourceSpec,
    Temporal,
    Text,
)
from .sources import ApiSource, CkanSource, Conventions, ExcelTable, Pagination, SqlSource

__all__ = [
    "ApiSource",
    "Catalog",
    "CatalogSpecError",
    "CkanSource",
    "Contact",
    "Conventions",
    "DatasetSpec",
    "ExcelTable",
    "FileSource",
    "GroupSpec",
    "HttpSource",
    "Maintainer",
    "OrganizationSpec",
    "Pagination",
    "PortalSpec",
    "Problem",
    "Province",
    "Retention",
    "SourceSpec",
    "SqlSource",
    "Temporal",
    "Text",
    "field_path",
    "load_catalog",
    "load_dataset",
    "load_portal",
]
