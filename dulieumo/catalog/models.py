"""Typed, declarative specs: the portal file and one spec per dataset."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{1,99}$"
CkanName = Annotated[str, Field(pattern=NAME_PATTERN)]


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Spec):
    """A text in Vietnamese, optionally in English."""

    vi: Annotated[str, Field(min_length=1)]
    en: str | None = None


class Province(Spec):
    code: Annotated[str, Field(pattern=r"^\d{2}$")]
    name: str


class OrganizationSpec(Spec):
    name: CkanName
    title: str
    title_en: str | None = None
    code: str | None = Field(default=None, description="Mã định danh (QĐ 20/2020/QĐ-TTg)")
    description: str = ""


class GroupSpec(Spec):
    name: CkanName
    title: str
    title_en: str | None = None
    description: str = ""


class PortalSpec(Spec):
    province: Province
    site_title: str
    organizations: list[OrganizationSpec]
    groups: list[GroupSpec] = []


class Maintainer(Spec):
    name: str
    email: EmailStr


class Contact(Spec):
    phone: str | None = None
    address: str | None = None


Encoding = Literal["auto", "utf-8", "utf-8-sig", "windows-1258"]


class FileSource(Spec):
    type: Literal["file"]
    path: Path
    encoding: Encoding = "auto"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","


class HttpSource(Spec):
    type: Literal["http"]
    url: Annotated[str, Field(pattern=r"^https?://")]
    timeout_s: Annotated[float, Field(gt=0, le=600)] = 30
    encoding: Encoding = "auto"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","


SourceSpec = Annotated[FileSource | HttpSource, Field(discriminator="type")]

Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]


class Retention(Spec):
    keep_last: Annotated[int, Field(ge=1)]
    one_per_year: bool = True


class DatasetSpec(Spec):
    name: CkanName
    title: Text
    description: Text
    organization: CkanName
    groups: list[CkanName] = []
    tags: list[Annotated[str, Field(min_length=2, max_length=100)]] = []
    license: str = "cc-by"
    maintainer: Maintainer
    contact: Contact | None = None
    frequency: Frequency
    source: SourceSpec
    schema_path: Path = Field(alias="schema")
    suite_path: Path | None = Field(default=None, alias="suite")
    retention: Literal["all"] | Retention = "all"
    approve_major: bool = False
    # set by the loader, not the YAML
    agency: str = Field(default="", exclude=True)
    spec_path: Path = Field(default=Path(), exclude=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
