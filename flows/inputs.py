"""What a release is made from, hashed before the source is parsed.

The source's raw bytes, the dataset's spec, Table Schema and suite, the code lists, the
portal file and the code's version: when they hash the same as the latest release's, the
run says "unchanged" without reading the file (a 1,000,000-row file costs its hash, not a
pull, a validation and a row diff). A dataset whose foreign keys name another catalogue
dataset is always read (that dataset's new release can make its rows invalid), and so is
a source without raw bytes (an API, a database).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from dulieumo import __version__
from dulieumo.catalog import Catalog, DatasetSpec
from validate.previous import referenced_datasets
from validate.run import CatalogSchemas

CODE_LIST_DIRS = ("codelists", "schemas/codelists")
PORTAL_FILE = "datasets/portal.yaml"


def _files(spec: DatasetSpec, root: Path) -> list[Path]:
    files = [root / spec.spec_path, root / spec.schema_path, root / PORTAL_FILE]
    if spec.suite_path is not None:
        files.append(root / spec.suite_path)
    for folder in CODE_LIST_DIRS:
        if (root / folder).is_dir():
            files += sorted(p for p in (root / folder).rglob("*") if p.is_file())
    return files


def input_fingerprint(
    spec: DatasetSpec, root: Path, raw_sha256: str | None, catalog: Catalog | None = None
) -> str | None:
    """The inputs' hash, or None when the file must be read anyway."""
    if raw_sha256 is None or spec.spec_path == Path():
        return None
    datasets = CatalogSchemas(catalog) if catalog is not None else None
    if referenced_datasets(root / spec.schema_path, root, datasets):
        return None
    digest = hashlib.sha256(f"dulieumo {__version__}\nsource {raw_sha256}\n".encode())
    for path in _files(spec, root):
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(f"{rel}\n".encode())
        digest.update(hashlib.sha256(path.read_bytes() if path.is_file() else b"").digest())
    return digest.hexdigest()
