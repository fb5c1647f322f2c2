"""Publishing keeps a dataset's visibility unless its spec declares it (issue 12, finding 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.security.release_actors import HEALTH, TOURISM, change_a_row, publish_now
from tests.support.catalog import copy_catalog, edit_spec


@pytest.fixture(scope="module")
def root(portal, tmp_path_factory: pytest.TempPathFactory) -> Path:
    portal.reset()
    root = copy_catalog(tmp_path_factory.mktemp("catalog"))
    assert publish_now(root, portal, TOURISM, tmp_path_factory.mktemp("w")).action == "created"
    return root


def _private(portal, dataset: str) -> bool:
    return bool(portal.ckan("sysadmin").action.package_show(id=dataset)["private"])


def test_a_new_dataset_becomes_public_at_its_first_release(portal, root):
    assert _private(portal, TOURISM) is False


def test_a_dataset_an_admin_made_private_stays_private_after_the_next_release(
    portal, root, tmp_path
):
    portal.ckan("sysadmin").action.package_patch(id=TOURISM, private=True)
    change_a_row(root, "(riêng tư)")
    result = publish_now(root, portal, TOURISM, tmp_path)
    assert result.action == "released"
    assert _private(portal, TOURISM) is True
    # and the anonymous public cannot read it
    names = portal.ckan().action.package_search(q=f"name:{TOURISM}")["results"]
    assert names == []


def test_a_spec_that_declares_public_makes_it_public_again(portal, root, tmp_path):
    edit_spec(root, TOURISM, lambda d: d.__setitem__("private", False))
    change_a_row(root, "(công khai)")
    assert publish_now(root, portal, TOURISM, tmp_path).action == "released"
    assert _private(portal, TOURISM) is False


def test_a_new_dataset_declared_private_is_never_public(portal, root, tmp_path):
    edit_spec(root, HEALTH, lambda d: d.__setitem__("private", True))
    assert publish_now(root, portal, HEALTH, tmp_path).action == "created"
    assert _private(portal, HEALTH) is True
    assert portal.ckan().action.package_search(q=f"name:{HEALTH}")["results"] == []
