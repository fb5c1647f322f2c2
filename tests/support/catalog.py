"""The repository's sample catalogue, copied for tests that change it."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
CATALOG_DIRS = ("datasets", "schemas", "validations", "codelists", "samples")

#: the three file-based sample datasets: what tests of the flows publish (fast, no agency server)
CORE_DATASETS = ("co-so-kham-chua-benh", "co-so-giao-duc", "co-so-luu-tru")


def copy_catalog(dest: Path, only: tuple[str, ...] | None = None) -> Path:
    """A private copy of the sample catalogue (datasets/, schemas/, validations/, codelists/
    and the sample sources, without Python files) that a test may break; with `only`, the
    specs of the other datasets are left out."""
    for name in CATALOG_DIRS:
        if (REPO_ROOT / name).exists():
            shutil.copytree(
                REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("*.py", "__pycache__")
            )
    if only is not None:
        for spec in (dest / "datasets").glob("*/*.yaml"):
            if spec.stem not in only:
                spec.unlink()
    return dest


def spec_file(root: Path, dataset: str) -> Path:
    found = list((root / "datasets").glob(f"*/{dataset}.yaml"))
    assert found, f"no spec for {dataset}"
    return found[0]


def edit_spec(root: Path, dataset: str, change: Any) -> Path:
    path = spec_file(root, dataset)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def read_yaml(root: Path, rel: str) -> dict[str, Any]:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_yaml(root: Path, rel: str, data: dict[str, Any]) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """(header, rows) of a CSV file."""
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


def write_rows(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    """Write rows (dicts; keys not in `header` left out) as a CSV file."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
