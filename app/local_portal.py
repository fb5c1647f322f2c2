"""The local portal as the application starts it: the portal manager (portal.manage) plus the
seeding of the portal file's organisations and groups, which is publish's job
(publish.organizations). The portal manager sits beside the stages and imports none of them;
this module joins the two for `dulieumo portal up|reset`, the demo and the tests."""

from __future__ import annotations

from portal import manage
from portal.manage import UpReport, quiet
from portal.settings import PortalSettings
from publish.organizations import ensure_organizations


def up(settings: PortalSettings | None = None, say: manage.Say = quiet) -> UpReport:
    """`dulieumo portal up`: install, start, and create the portal file's organisations."""
    return manage.up(settings, say, seed=ensure_organizations)


def reset(settings: PortalSettings | None = None) -> float:
    """`dulieumo portal reset`: empty the portal, then create the organisations again."""
    return manage.reset(settings, seed=ensure_organizations)
