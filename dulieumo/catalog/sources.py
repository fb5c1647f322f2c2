"""Spec models for `source:` (where a dataset's rows come from) and `conventions:` (how the
agency writes them). See CONTRACTS.md for the agreed keys.

    source:
      type: file | http | api | sql | ckan
      ...
    conventions:
      columns: {"Tên cơ sở": ten_co_so}
      date_format: "%d/%m/%Y"
      decimal_char: ","
      group_char: "."
      true_values: ["x", "có"]
      false_values: ["không"]
      null_markers: ["", "-", "N/A"]

Strings in `url`, `headers` (and the SQL `url`) may use ``${VAR}`` or ``${VAR:-default}``;
they are expanded from the environment when the source is pulled (``pull/env.py``), so a
spec never holds a password or a token. Here only their syntax is checked.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from dulieumo.redact import mask_text


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Encoding = Literal["auto", "utf-8", "utf-8-sig", "windows-1258", "tcvn3", "vni"]
Format = Literal["csv", "xlsx"]
Delimiter = Annotated[str, Field(min_length=1, max_length=1)]
SOURCE_TYPES = ("file", "http", "api", "sql", "ckan")

#: ``${NAME}`` or ``${NAME:-default}``
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_HTTP_URL = r"^(\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}|https?://[^\s/]+)"
HttpUrl = Annotated[str, Field(pattern=_HTTP_URL)]
Headers = dict[Annotated[str, Field(min_length=1)], str]


def check_variables(value: str, where: str) -> str:
    """A ``${`` must start a well-formed ``${VAR}`` / ``${VAR:-default}``."""
    if "${" in VARIABLE.sub("", value):
        raise ValueError(
            f"{where}: malformed environment variable in {value[:80]!r}; "
            "write ${NAME} or ${NAME:-default}"
        )
    return value


class _Expandable(Spec):
    @field_validator("url", "headers", check_fields=False)
    @classmethod
    def _variables(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, str):
            check_variables(value, f"source.{info.field_name}")
        elif isinstance(value, dict):
            for k, v in value.items():
                check_variables(v, f"source.{info.field_name}.{k}")
        return value


class ExcelTable(Spec):
    """Where the table sits in an .xlsx workbook (1-based rows, as Excel shows them)."""

    sheet: str | Annotated[int, Field(ge=1)] | None = None  # name or 1-based index
    header_rows: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1, max_length=2)] = [
        1
    ]
    first_data_row: Annotated[int, Field(ge=2)] | None = None
    #: the last row of data (Excel's number): total rows and notes below it are left out
    last_data_row: Annotated[int, Field(ge=2)] | None = None
    #: total/subtotal rows to leave out, by the text of one of their cells ("Tổng cộng")
    skip_rows: list[Annotated[str, Field(min_length=1)]] = []
    #: number fields whose declared total (the last total row) must equal the rows' sum
    check_totals: list[str] = []

    @model_validator(mode="after")
    def _rows_in_order(self) -> ExcelTable:
        rows = self.header_rows
        if len(rows) == 2 and rows[1] != rows[0] + 1:
            raise ValueError(
                "source.excel.header_rows: the two header rows must be adjacent "
                f"(got {rows}); e.g. [5, 6]"
            )
        if self.first_data_row is not None and self.first_data_row <= rows[-1]:
            raise ValueError(
                f"source.excel.first_data_row: {self.first_data_row} must come after "
                f"the header rows {rows}"
            )
        if self.last_data_row is not None and self.last_data_row < self.data_row:
            raise ValueError(
                f"source.excel.last_data_row: {self.last_data_row} comes before the first "
                f"data row {self.data_row}"
            )
        return self

    @property
    def data_row(self) -> int:
        return self.first_data_row or self.header_rows[-1] + 1


class TabularSource(_Expandable):
    """What a file source (local, HTTP, a CKAN resource download) says about its bytes."""

    format: Format | None = None  # default: from the extension, else csv
    encoding: Encoding = "auto"  # csv only
    delimiter: Delimiter = ","  # csv only
    excel: ExcelTable | None = None  # xlsx only
    skip_rows: list[Annotated[str, Field(min_length=1)]] = []  # csv: total rows, by marker
    check_totals: list[str] = []  # csv: fields whose total row must equal the rows' sum

    def total_rules(self) -> tuple[list[str], list[str], int | None]:
        """(skip_rows markers, check_totals fields, last_data_row) of either format."""
        if self.excel is not None:
            return (
                self.excel.skip_rows or self.skip_rows,
                self.excel.check_totals or self.check_totals,
                self.excel.last_data_row,
            )
        return self.skip_rows, self.check_totals, None

    def file_format(self, name: str) -> Format:
        if self.format is not None:
            return self.format
        if self.excel is not None or name.lower().split("?")[0].endswith((".xlsx", ".xlsm")):
            return "xlsx"
        return "csv"

    @model_validator(mode="after")
    def _format_keys(self) -> TabularSource:
        if self.format == "csv" and self.excel is not None:
            raise ValueError("source.excel: only for `format: xlsx` (remove it, or set the format)")
        return self


class FileSource(TabularSource):
    type: Literal["file"]
    path: Path


class HttpSource(TabularSource):
    type: Literal["http"]
    url: HttpUrl
    headers: Headers = {}
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30


class Pagination(Spec):
    """How a JSON API pages: ``page`` (page number), ``offset`` or ``next`` (a link)."""

    style: Literal["page", "offset", "next"]
    page_param: str = "page"
    first_page: int = 1
    size_param: str | None = "size"  # page style: the page-size parameter (None: not sent)
    size: Annotated[int, Field(ge=1, le=100_000)] = 100  # page size / limit
    offset_param: str = "offset"
    limit_param: str = "limit"
    next: str = "next"  # next style: dot path of the next page's URL in the answer
    max_pages: Annotated[int, Field(ge=1)] = 100_000


class ApiSource(_Expandable):
    type: Literal["api"]
    url: HttpUrl
    records: str = ""  # dot path of the list of records in each answer ("" = the answer)
    pagination: Pagination | None = None
    headers: Headers = {}
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30


class SqlSource(_Expandable):
    type: Literal["sql"]
    url: Annotated[str, Field(min_length=1)]  # SQLAlchemy URL, e.g. postgresql://u@h/db
    query: Annotated[str, Field(min_length=1)]
    timeout_s: Annotated[float, Field(gt=0, le=3600)] = 300


class CkanSource(TabularSource):
    type: Literal["ckan"]
    url: HttpUrl  # the other portal's address, e.g. https://data.gov.vn
    resource_id: Annotated[str, Field(min_length=1)]
    datastore: bool = True  # true: datastore_search paging; false: download the file
    page_size: Annotated[int, Field(ge=1, le=32_000)] = 5_000
    headers: Headers = {}  # e.g. {Authorization: "${OTHER_PORTAL_TOKEN}"} for private data
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 60


SourceSpec = Annotated[
    FileSource | HttpSource | ApiSource | SqlSource | CkanSource, Field(discriminator="type")
]


def header_key(label: str) -> str:
    """How headers are compared: NFC, spaces (line breaks in Excel cells) collapsed."""
    return " ".join(unicodedata.normalize("NFC", label).split())


class Conventions(Spec):
    """How the agency writes its values; applied in pull, before validation."""

    #: agency header → schema field name; null drops the column (e.g. "STT")
    columns: dict[str, str | None] = {}
    date_format: str | None = None  # strptime format for the schema's date fields
    decimal_char: Annotated[str, Field(min_length=1, max_length=1)] = "."
    group_char: Annotated[str, Field(max_length=1)] = ""
    true_values: list[str] = []
    false_values: list[str] = []
    null_markers: list[str] = [""]
    #: trim spaces and NBSP around text cells and turn inner NBSP into spaces (default on)
    trim_whitespace: bool = True

    @field_validator("date_format")
    @classmethod
    def _date_format(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError(f'{value!r} has no strftime codes; e.g. "%d/%m/%Y"')
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Conventions:
        if self.group_char and self.group_char == self.decimal_char:
            raise ValueError("conventions.group_char: must differ from decimal_char")
        keys = [header_key(k) for k in self.columns]
        dup = {k for k in keys if keys.count(k) > 1}
        if dup:
            raise ValueError(f"conventions.columns: the header {sorted(dup)[0]!r} is mapped twice")
        targets = [v for v in self.columns.values() if v]
        twice = {v for v in targets if targets.count(v) > 1}
        if twice:
            raise ValueError(
                f"conventions.columns: two headers are mapped to the field {sorted(twice)[0]!r}"
            )
        both = {header_key(v).casefold() for v in self.true_values} & {
            header_key(v).casefold() for v in self.false_values
        }
        if both:
            raise ValueError(f"conventions.false_values: {sorted(both)[0]!r} is also a true value")
        return self


SOURCE_MODELS = (
    ExcelTable,
    FileSource,
    HttpSource,
    Pagination,
    ApiSource,
    SqlSource,
    CkanSource,
    Conventions,
)
#: keys these models add, for the loader's "did you mean ...?" hints
SOURCE_KEYS: frozenset[str] = frozenset(
    n for model in SOURCE_MODELS for n in model.model_fields
) | {"conventions"}


# ------------------------------------------------------------- where sources may come from

#: extra folders a `source.path` may point into, besides the catalogue root (os.pathsep list)
SOURCE_DIRS_ENV = "DULIEUMO_SOURCE_DIRS"


def source_dirs(root: Path) -> list[Path]:
    """The folders a file source may be read from: the catalogue root and the folders in
    ``DULIEUMO_SOURCE_DIRS`` (an agency's shared drop, say), symlinks resolved."""
    from dulieumo.settings import settings

    raw = settings().source_dirs
    extra = [Path(p) for p in raw.split(os.pathsep) if p.strip()]
    return [d.expanduser().resolve() for d in (root, *extra)]


def source_path_problem(root: Path, path: Path) -> str | None:
    """Why `path` (``source.path``) may not be read, or None when it is inside an allowed
    folder. `..` and symlinks are resolved first: ``../../../etc/passwd`` is refused."""
    full = (path if path.is_absolute() else Path(root) / path).resolve()
    allowed = source_dirs(Path(root))
    if any(full.is_relative_to(d) for d in allowed):
        return None
    return (
        f"'{path.as_posix()}' is outside the catalogue's folders; a source file must sit "
        f"under the catalogue root ({allowed[0]}) or a folder listed in {SOURCE_DIRS_ENV}"
    )


# ---------------------------------------------------------------- literal credentials

_SECRET_HEADER = re.compile(r"(?i)authorization|cookie|token|secret|key|auth|pass")
_AUTH_SCHEME = re.compile(r"(?i)^\s*(bearer|basic|token|digest)\s+")


def literal_credentials(source: object) -> list[str]:
    """The fields of a source (``source.url``, ``source.headers.Authorization``) that hold a
    literal password or token instead of a ``${VAR}``."""
    out = []
    url = getattr(source, "url", None)
    if isinstance(url, str):
        bare = VARIABLE.sub("", url)
        if mask_text(bare) != bare:
            out.append("source.url")
    headers = getattr(source, "headers", None) or {}
    for name, value in headers.items():
        bare = _AUTH_SCHEME.sub("", VARIABLE.sub("", value)).strip()
        if bare and (_SECRET_HEADER.search(name) or mask_text(bare) != bare):
            out.append(f"source.headers.{name}")
    return out
