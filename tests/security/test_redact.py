"""The one credential masking (dulieumo.redact) on the texts the pipeline writes."""

from __future__ import annotations

import pytest

from dulieumo.errors import SourceError
from dulieumo.redact import mask_data, mask_text, mask_url


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "https://u:p4ss@h.vn/a.csv?access_token=abc&x=1",
            "https://u:***@h.vn/a.csv?access_token=***&x=1",
        ),
        ("GET http://h/a?token=t1&amp;api_key=k2#f", "GET http://h/a?token=***&amp;api_key=***#f"),
        ("Authorization: Bearer abc.def", "Authorization: Bearer ***"),
        ('{"X-Api-Key": "zzz"}', '{"X-Api-Key": "***"}'),
        ("password=hunter2, next", "password=***, next"),
        ("postgresql://app:pw@db:5432/x", "postgresql://app:***@db:5432/x"),
        ("key=v&monkey=banana&keyword=x", "key=***&monkey=banana&keyword=x"),
        # a spec's field path is not a header: the message after it stays readable
        (
            "source.headers.Authorization: the environment variable X is not set",
            "source.headers.Authorization: the environment variable X is not set",
        ),
    ],
)
def test_mask_text(text: str, shown: str) -> None:
    assert mask_text(text) == shown


def test_mask_url_drops_credentials_and_fragment() -> None:
    assert mask_url("https://u:p@h.vn:8443/x?key=1&a=2#frag") == "https://h.vn:8443/x?key=***&a=2"


def test_mask_data_masks_secret_keys_and_strings_but_not_counts() -> None:
    data = {"password": "x", "token_count": 3, "key": "LT-1", "m": ["https://a:b@c.vn/"]}
    assert mask_data(data) == {
        "password": "***",
        "token_count": 3,
        "key": "LT-1",
        "m": ["https://a:***@c.vn/"],
    }


def test_error_messages_never_carry_a_credential() -> None:
    exc = SourceError("GET https://h.vn/x.csv?access_token=abc failed", hint="password=abc")
    assert "abc" not in str(exc) and "abc" not in str(exc.to_dict())
