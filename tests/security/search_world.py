"""A small portal world for the search-side security tests, built once per test session.

Two organisations: ``atk-so-y-te`` owns a public dataset, a private one and a private
``--staging`` dataset; ``atk-so-du-lich`` owns one public dataset. Three attackers:

- ``anonymous``: no token;
- ``outsider``: a logged-in user of no organisation;
- ``other_editor``: an editor of ``atk-so-du-lich`` (not of the owner organisation).

Everything that only the private and staging datasets carry (names, ids, titles, notes, an
extra key and value, a tag, a resource format, a licence, DataStore rows, an alias) is
listed in ``World.secrets``: no answer to an attacker may contain any of them.

The world does not reset the portal (other modules' data stays); it purges and recreates
only its own datasets, so it can be built again on a portal that already has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from ckanapi import NotFound

from portal.services import pg_connect
from portal.settings import PortalSettings

ORG_OWNER, ORG_OTHER = "atk-so-y-te", "atk-so-du-lich"
GROUP = "atk-nhom-y-te"
PUBLIC, PRIVATE, STAGING, OTHER_PUBLIC = (
    "atk-co-so-y-te",
    "atk-ho-so-mat",
    "atk-co-so-y-te--staging",
    "atk-diem-du-lich",
)
PRIVATE_TITLE = "Hồ sơ bệnh nhân mật kiểm thử"
STAGING_TITLE = "Bản chuẩn bị chưa công bố kiểm thử"
PRIVATE_NOTES = "Ghi chú chỉ người trong Sở được đọc"
PRIVATE_KEY, PRIVATE_VALUE = "khoa_chi_rieng_tu_atk", "gia-tri-bi-mat-atk"
PRIVATE_TAG = "the-mat-atk"
PRIVATE_FORMAT = "ATKFMT"
PRIVATE_LICENSE = "cc-nc"
PRIVATE_ROW = "Bệnh nhân Nguyễn Văn Mật"
PRIVATE_ALIAS = "atk_ho_so_mat_alias"
PUBLIC_KEY = "tan_suat_atk"
ATTACKERS = ("anonymous", "outsider", "other_editor")
OUTSIDER, OTHER_EDITOR = "atk-nguoi-ngoai", "atk-bien-tap-khac"


@dataclass
class World:
    url: str
    admin_token: str
    tokens: dict[str, str | None]
    ids: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def headers(self, caller: str) -> dict[str, str]:
        token = self.tokens[caller]
        return {"Authorization": token} if token else {}

    def get(self, action: str, caller: str, **params: Any) -> requests.Response:
        """GET an action as `caller` (params in the query string)."""
        return requests.get(
            f"{self.url}/api/3/action/{action}",
            params=params,
            headers=self.headers(caller),
            timeout=60,
        )

    def post(
        self, action: str, caller: str, body: dict[str, Any], timeout: float = 60
    ) -> requests.Response:
        """POST an action as `caller` with a JSON body."""
        return requests.post(
            f"{self.url}/api/3/action/{action}",
            json=body,
            headers=self.headers(caller),
            timeout=timeout,
        )

    def leaked(self, text: str) -> list[str]:
        """The secrets (private-only strings) present in an answer."""
        return [s for s in self.secrets if s.lower() in text.lower()]


def ckan_db_rows(sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of one query on the portal's CKAN database, as the PostgreSQL superuser."""
    settings = PortalSettings()
    conn = pg_connect(settings, settings.ckan_db)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return list(cur.fetchall())
    finally:
        conn.close()


_BUILT: dict[str, World] = {}


def build(portal: Any) -> World:
    """The world on this portal (built once per session; again if a reset emptied it)."""
    admin = portal.ckan("sysadmin")
    if portal.url in _BUILT:
        try:
            admin.action.package_show(id=PRIVATE)
            return _BUILT[portal.url]
        except NotFound:  # another module reset the portal in between
            del _BUILT[portal.url]
    for name in (PUBLIC, PRIVATE, STAGING, OTHER_PUBLIC):
        try:
            old = admin.action.package_show(id=name)
        except NotFound:
            continue
        for res in old["resources"]:  # a purge leaves DataStore tables and aliases behind
            try:
                admin.action.datastore_delete(resource_id=res["id"], force=True)
            except NotFound:
                pass
        admin.action.dataset_purge(id=name)
    for org, title in (
        (ORG_OWNER, "Sở Y tế (kiểm thử bảo mật)"),
        (ORG_OTHER, "Sở Du lịch (kiểm thử bảo mật)"),
    ):
        try:
            admin.action.organization_show(id=org)
        except NotFound:
            admin.action.organization_create(name=org, title=title)
    try:
        admin.action.group_show(id=GROUP)
    except NotFound:
        admin.action.group_create(name=GROUP, title="Nhóm y tế (kiểm thử bảo mật)")

    tokens: dict[str, str | None] = {"anonymous": None, "sysadmin": portal.token("sysadmin")}
    for role, user in (("outsider", OUTSIDER), ("other_editor", OTHER_EDITOR)):
        try:
            admin.action.user_show(id=user)
        except NotFound:
            admin.action.user_create(
                name=user, email=f"{user}@example.org", password=f"mat-khau-{user}-2026"
            )
        tokens[role] = admin.action.api_token_create(user=user, name="security-tests")["token"]
    admin.action.organization_member_create(id=ORG_OTHER, username=OTHER_EDITOR, role="editor")
    # the outsider is in no organisation (a previous run may have left nothing else)
    for org in (ORG_OWNER, ORG_OTHER):
        try:
            admin.action.organization_member_delete(id=org, username=OUTSIDER)
        except NotFound:
            pass

    def dataset(name: str, org: str, private: bool, **extra: Any) -> dict[str, Any]:
        return admin.action.package_create(name=name, owner_org=org, private=private, **extra)

    public = dataset(
        PUBLIC,
        ORG_OWNER,
        False,
        title="Cơ sở y tế công khai kiểm thử",
        notes="Danh sách công khai.",
        license_id="cc-by",
        tags=[{"name": "y tế"}],
        groups=[{"name": GROUP}],
        extras=[{"key": PUBLIC_KEY, "value": "hang-thang"}],
        resources=[{"url": "http://example.org/cong-khai.csv", "format": "CSV", "name": "CSV"}],
    )
    private = dataset(
        PRIVATE,
        ORG_OWNER,
        True,
        title=PRIVATE_TITLE,
        notes=PRIVATE_NOTES,
        license_id=PRIVATE_LICENSE,
        tags=[{"name": PRIVATE_TAG}],
        groups=[{"name": GROUP}],
        extras=[{"key": PRIVATE_KEY, "value": PRIVATE_VALUE}],
        resources=[
            {"url": "http://example.org/mat.bin", "format": PRIVATE_FORMAT, "name": "Tệp mật"}
        ],
    )
    staging = dataset(
        STAGING,
        ORG_OWNER,
        True,
        title=STAGING_TITLE,
        notes="Bản chuẩn bị của lần công bố tiếp theo.",
        resources=[{"url": "http://example.org/staging.csv", "format": "CSV", "name": "CSV"}],
    )
    dataset(
        OTHER_PUBLIC,
        ORG_OTHER,
        False,
        title="Điểm du lịch kiểm thử",
        tags=[{"name": "du lịch"}],
        resources=[{"url": "http://example.org/du-lich.csv", "format": "CSV", "name": "CSV"}],
    )
    private_res = private["resources"][0]["id"]
    staging_res = staging["resources"][0]["id"]
    public_res = public["resources"][0]["id"]
    admin.action.datastore_create(
        resource_id=private_res,
        force=True,
        aliases=PRIVATE_ALIAS,
        records=[{"benh_nhan": PRIVATE_ROW, "tuoi": 41}],
    )
    admin.action.datastore_create(
        resource_id=staging_res, force=True, records=[{"ten": "Dòng staging kiểm thử mật"}]
    )
    admin.action.datastore_create(
        resource_id=public_res, force=True, records=[{"ten": "Trạm y tế công khai"}]
    )
    # a change to the private dataset, so that it has more than one activity
    admin.action.package_patch(id=PRIVATE, notes=PRIVATE_NOTES + " (sửa)")

    world = World(
        url=portal.url,
        admin_token=portal.token("sysadmin"),
        tokens=tokens,
        ids={
            "private": private["id"],
            "staging": staging["id"],
            "public": public["id"],
            "private_resource": private_res,
            "staging_resource": staging_res,
            "public_resource": public_res,
        },
        secrets=[
            PRIVATE,
            STAGING,
            private["id"],
            staging["id"],
            private_res,
            staging_res,
            PRIVATE_TITLE,
            STAGING_TITLE,
            PRIVATE_NOTES,
            PRIVATE_KEY,
            PRIVATE_VALUE,
            PRIVATE_TAG,
            PRIVATE_FORMAT,
            PRIVATE_ROW,
            "Dòng staging kiểm thử mật",
        ],
    )
    _BUILT[portal.url] = world
    return world
