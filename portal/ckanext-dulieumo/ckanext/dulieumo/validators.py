"""The dataset schema's validators (named in schemas/dataset.yaml), registered through
IValidators by the `dulieumo_releases` plugin. The logic lives in dataset_fields.py."""

from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from . import dataset_fields


def _checked(fn: Any, value: Any) -> Any:
    try:
        return fn(value)
    except dataset_fields.FieldError as exc:
        raise tk.Invalid(str(exc)) from None


def frequency(value: Any) -> Any:
    """A frequency code; the EU URI of older releases is read as its code."""
    return dataset_fields.frequency_code(value)


def phone(value: Any) -> Any:
    return _checked(dataset_fields.phone, value)


def phone_out(value: Any) -> Any:
    return dataset_fields.shown_phone(value)


def releases_in(value: Any) -> Any:
    return _checked(dataset_fields.releases_in, value)


def releases_out(value: Any) -> Any:
    return dataset_fields.releases_out(value)


def validators() -> dict[str, Any]:
    return {
        "dulieumo_frequency": frequency,
        "dulieumo_phone": phone,
        "dulieumo_phone_out": phone_out,
        "dulieumo_releases_in": releases_in,
        "dulieumo_releases_out": releases_out,
    }
