"""Typed, declarative specs: the portal file and one spec per dataset.

Unknown keys are errors (``extra="forbid"``) so a typo such as ``organisation:`` is caught
instead of silently ignored. The loader (``load.py``) turns pydantic's errors into messages
naming the file and the field path.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .notify import NotifySpec
from .quality import AggregateSpec, QualitySpec
from .schedule import ScheduleSpec
from .site import SITE_MODELS, ContactSpec, SiteSpec
from .sources import SOURCE_KEYS, Conventions, FileSource, HttpSource, SourceSpec

NAME_PATTERN = r"^[a-z0-9_-]{2,100}$"  # CKAN names: lowercase ASCII, digits, - and _
CkanName = Annotated[str, Field(pattern=NAME_PATTERN)]
NonEmpty = Annotated[str, Field(min_length=1)]
#: mã định danh điện tử (QĐ 20/2020/QĐ-TTg): H41 = UBND tỉnh Quảng Ninh, H41.20 = one of its Sở
AGENCY_CODE_PATTERN = r"^[A-Z][0-9]{2}(\.[0-9]{2}){0,3}$"

#: CKAN licence ids that are open licences (an open-data portal publishes nothing else)
License = Literal[
    "cc-by",
    "cc-by-sa",
    "cc-zero",
    "odc-by",
    "odc-odbl",
    "odc-pddl",
    "other-open",
    "other-pd",
    "other-at",
    "gfdl",
    "uk-ogl",
]
Frequency = Literal["daily", "weekly", "monthly", "quarterly", "yearly", "irregular"]
#: how a frequency reads in Vietnamese (portal metadata, reports)
FREQUENCY_VI = {
    "daily": "Hằng ngày",
    "weekly": "Hằng tuần",
    "monthly": "Hằng tháng",
    "quarterly": "Hằng quý",
    "yearly": "Hằng năm",
    "irregular": "Không định kỳ",
}


class Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Spec):
    """A text in Vietnamese, optionally in English."""

    vi: NonEmpty
    en: str | None = None


class Province(Spec):
    code: Annotated[str, Field(pattern=r"^[0-9]{2}$", description="Mã tỉnh (2 chữ số)")]
    name: NonEmpty


class OrganizationSpec(Spec):
    """A publishing agency: a CKAN organisation."""

    name: CkanName
    title: NonEmpty
    title_en: str | None = None
    code: Annotated[str, Field(pattern=AGENCY_CODE_PATTERN)] | None = Field(
        default=None, description="Mã định danh (QĐ 20/2020/QĐ-TTg), e.g. H41.20"
    )
    description: str = ""
    #: shown on the organisation's page (address, phone, e-mail, website)
    contact: ContactSpec | None = None
    notify: NotifySpec | None = None


class GroupSpec(Spec):
    """A theme (lĩnh vực): a CKAN group."""

    name: CkanName
    title: NonEmpty
    title_en: str | None = None
    description: str = ""


class PortalSpec(Spec):
    province: Province
    site_title: NonEmpty
    #: what the portal's own pages say (home, about, footer); None: CKAN's defaults
    site: SiteSpec | None = None
    organizations: Annotated[list[OrganizationSpec], Field(min_length=1)]
    groups: list[GroupSpec] = []

    @model_validator(mode="after")
    def _unique_names(self) -> PortalSpec:
        for key, items in (("organizations", self.organizations), ("groups", self.groups)):
            seen: set[str] = set()
            for item in items:
                if item.name in seen:
                    raise ValueError(f"{key}: the name '{item.name}' is declared twice")
                seen.add(item.name)
        return self

    @model_validator(mode="after")
    def _site_names_declared(self) -> PortalSpec:
        if self.site is None:
            return self
        orgs = {o.name for o in self.organizations}
        if self.site.operator not in orgs:
            raise ValueError(
                f"site.operator: '{self.site.operator}' is not an organisation of this file"
            )
        groups = {g.name for g in self.groups}
        for i, area in enumerate(self.site.foundation_areas):
            if area.group is not None and area.group not in groups:
                raise ValueError(
                    f"site.foundation_areas.{i}.group: '{area.group}' is not a group of this file"
                )
        return self


class Maintainer(Spec):
    """The focal officer (đầu mối) for the dataset."""

    name: NonEmpty
    email: EmailStr


#: a phone number as citizens dial it: digits, spaces, + . - ( ) (no "XXX" placeholders)
PHONE_PATTERN = r"^\+?\(?[0-9][0-9 ().-]{5,30}[0-9]$"


class Contact(Spec):
    """Where citizens write or call about the dataset (the portal's contact point); the
    name and e-mail default to the maintainer's."""

    name: NonEmpty | None = None
    email: EmailStr | None = None
    phone: str | None = None
    address: str | None = None

    @field_validator("phone")
    @classmethod
    def _dialable(cls, phone: str | None) -> str | None:
        if phone is not None and not re.match(PHONE_PATTERN, phone.strip()):
            raise ValueError(
                f"'{phone}' is not a phone number citizens can dial (digits, spaces, + . - "
                "and parentheses, e.g. 0203 3825 123); leave it out rather than a placeholder"
            )
        return phone.strip() if phone else phone


class Temporal(Spec):
    """The period the data covers (ISO dates); `end` absent: up to now."""

    start: dt.date
    end: dt.date | None = None

    @field_validator("end")
    @classmethod
    def _after_start(cls, end: dt.date | None, info: ValidationInfo) -> dt.date | None:
        start = info.data.get("start")
        if end is not None and start is not None and end < start:
            raise ValueError(f"must not be before temporal.start ({start.isoformat()})")
        return end


class Retention(Spec):
    keep_last: Annotated[int, Field(ge=1)]
    one_per_year: bool = True
    #: kept releases with a DataStore table, newest first (files are kept regardless)
    queryable: Annotated[int, Field(ge=1)] = 2


class DatasetSpec(Spec):
    name: CkanName
    title: Text
    description: Text
    organization: CkanName
    groups: list[CkanName] = []
    tags: list[Annotated[str, Field(min_length=2, max_length=100)]] = []
    license: License = "cc-by"
    maintainer: Maintainer
    contact: Contact | None = None
    frequency: Frequency
    #: the period the data covers (optional)
    temporal: Temporal | None = None
    source: SourceSpec
    #: the agency's source as citizens should read it (default: from the organisation)
    source_name: Annotated[str, Field(min_length=2, max_length=300)] | None = None
    conventions: Conventions | None = None
    schema_path: Path = Field(alias="schema")
    suite_path: Path | None = Field(default=None, alias="suite")
    retention: Literal["all"] | Retention = "all"
    approve_major: bool = False
    #: visibility on the portal; None: public at the first release, then as the portal has it
    private: bool | None = None
    schedule: ScheduleSpec | None = None
    quality: QualitySpec = QualitySpec()
    # set by the loader, not the YAML
    agency: str = Field(default="", exclude=True)
    spec_path: Path = Field(default=Path(), exclude=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


#: every key a spec file may use, for "did you mean ...?" hints
KNOWN_KEYS: frozenset[str] = (
    frozenset(
        (f.alias or n)
        for model in (
            Text,
            Province,
            OrganizationSpec,
            GroupSpec,
            PortalSpec,
            Maintainer,
            Contact,
            Temporal,
            FileSource,
            HttpSource,
            Retention,
            DatasetSpec,
            NotifySpec,
            ScheduleSpec,
            QualitySpec,
            AggregateSpec,
            *SITE_MODELS,
        )
        for n, f in model.model_fields.items()
        if n not in ("agency", "spec_path")
    )
    | SOURCE_KEYS
)
