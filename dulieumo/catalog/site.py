"""What the portal's own pages say: the ``site:`` section of ``datasets/portal.yaml``.

Home page introduction, the plan's foundation data areas as entry points, the About page
(who runs the portal, the licence in plain Vietnamese, how often data is updated, a contact)
and the footer. Nothing of it is written in the portal's templates, so another province only
edits its portal file. ``dulieumo portal up`` hands it to the portal (``portal/site.py``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field

NonEmpty = Annotated[str, Field(min_length=1)]
WebAddress = Annotated[str, Field(pattern=r"^https?://[^\s]+$")]


class SiteModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContactSpec(SiteModel):
    """An address, a phone number, an e-mail and a website (each optional)."""

    address: str | None = None
    phone: Annotated[str, Field(pattern=r"^[0-9+() .-]{6,30}$")] | None = None
    email: EmailStr | None = None
    website: WebAddress | None = None


class LicenceSpec(SiteModel):
    """The licence of the portal's data, as citizens read it."""

    name: NonEmpty
    url: WebAddress | None = None
    terms: Annotated[list[NonEmpty], Field(min_length=1)]


class FoundationArea(SiteModel):
    """One of the plan's foundation data areas (CSDL nền tảng), an entry point on the home
    page: a theme (group of the portal file) or, without one, a search."""

    title: NonEmpty
    description: str = ""
    group: str | None = None
    search: str | None = None


class SiteSpec(SiteModel):
    """The ``site:`` section of the portal file."""

    description: NonEmpty = Field(description="One line under the portal's name")
    intro: Annotated[list[NonEmpty], Field(min_length=1)]
    operator: NonEmpty = Field(description="The organisation (name) that runs the portal")
    about: list[NonEmpty] = []
    licence: LicenceSpec
    update_policy: Annotated[list[NonEmpty], Field(min_length=1)]
    contact: ContactSpec
    foundation_areas: list[FoundationArea] = []


#: every key of the site section, for "did you mean ...?" hints
SITE_MODELS = (ContactSpec, LicenceSpec, FoundationArea, SiteSpec)
