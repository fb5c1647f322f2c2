"""The `notify:` key of an organisation: typed, with the path of a bad field in the error."""

from __future__ import annotations

import pytest

from dulieumo.catalog import CatalogSpecError, load_catalog
from tests.support.catalog import copy_catalog
from tests.support.servers import set_notify


def test_notify_key_is_loaded(tmp_path):
    root = copy_catalog(tmp_path)
    set_notify(
        root,
        "so-y-te",
        {
            "email": ["kcb.syt@quangninh.gov.vn"],
            "webhook": "https://hooks.example.vn/dulieu",
            "on_success": True,
        },
    )
    org = next(o for o in load_catalog(root).portal.organizations if o.name == "so-y-te")
    assert org.notify is not None
    assert [str(a) for a in org.notify.email] == ["kcb.syt@quangninh.gov.vn"]
    assert org.notify.on_success is True


@pytest.mark.parametrize(
    ("notify", "path", "needle"),
    [
        ({"email": ["not-an-address"]}, "organizations[1].notify.email[0]", "email"),
        ({"webhook": "ftp://x"}, "organizations[1].notify.webhook", "expected form"),
        ({"emails": ["a@b.vn"]}, "organizations[1].notify.emails", "Did you mean 'email'"),
        ({"on_success": True}, "organizations[1].notify", "at least one of `email` or `webhook`"),
    ],
)
def test_bad_notify_key_names_the_field(tmp_path, notify, path, needle):
    root = copy_catalog(tmp_path)
    set_notify(root, "so-y-te", notify)
    with pytest.raises(CatalogSpecError) as err:
        load_catalog(root)
    problems = {p.path: p.message for p in err.value.problems}
    assert path in problems, problems
    assert needle in problems[path]
    assert "datasets/portal.yaml" in str(err.value)
