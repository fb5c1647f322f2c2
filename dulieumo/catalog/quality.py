"""The `quality:` key of a dataset spec: cross-release and personal-data rules.

```yaml
quality:
  row_count_tolerance: 0.2           # |rows - last release's rows| / last rows; beyond → error
  pii_allow: [so_dien_thoai]         # fields allowed to hold phone / e-mail / CCCD-like values
  aggregate: {count_fields: [so_luong], suppression_threshold: 5}
  formula_injection: escape          # escape (prefix ') | reject
```
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class AggregateSpec(BaseModel):
    """A dataset of counts (thống kê): small counts could identify people."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    count_fields: Annotated[list[str], Field(min_length=1)]
    suppression_threshold: Annotated[int, Field(ge=1)] = 5


class QualitySpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    row_count_tolerance: Annotated[float, Field(ge=0)] | None = None
    pii_allow: list[str] = []
    aggregate: AggregateSpec | None = None
    formula_injection: Literal["escape", "reject"] = "escape"


DEFAULT_QUALITY = QualitySpec()
