"""Real `DatasetSpec`s for tests (never a look-alike: production code reads the model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dulieumo.catalog import DatasetSpec


def dataset_spec(
    name: str = "co-so-thu-nghiem",
    *,
    schema: str | Path = "schemas/s.json",
    suite: str | Path | None = None,
    source: str | Path | dict[str, Any] = "data.csv",
    **fields: Any,
) -> DatasetSpec:
    """A valid DatasetSpec with test defaults; `source` is a file path (a file source) or a
    source mapping; `fields` override any other key (quality=QualitySpec(...), retention…)."""
    data: dict[str, Any] = {
        "name": name,
        "title": {"vi": "Tập dữ liệu thử nghiệm"},
        "description": {"vi": "Dữ liệu dùng trong kiểm thử."},
        "organization": "so-thu-nghiem",
        "maintainer": {"name": "Cán bộ đầu mối", "email": "dau.moi@example.org"},
        "frequency": "daily",
        "source": source if isinstance(source, dict) else {"type": "file", "path": str(source)},
        "schema": str(schema),
        **({"suite": str(suite)} if suite is not None else {}),
        **fields,
    }
    return DatasetSpec.model_validate(data)
