"""Checks of the parameters our actions accept: a bad value is a ValidationError (HTTP 409)
naming the field and what is expected, never a 500 from deeper down."""

from __future__ import annotations

import re
from typing import Any

import ckan.plugins.toolkit as tk

#: CKAN's own rule for dataset names (ckan.logic.validators.name_validator)
DATASET_NAME = re.compile(r"^[a-z0-9_-]{2,100}$")
#: what a run may use as its lock owner id: printable, no spaces, bounded
OWNER_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,200}$")
#: CKAN's resource ids (uuid4) and names
RESOURCE_ID = re.compile(r"^[A-Za-z0-9_-]{1,100}$")


def refuse(field: str, message: str) -> tk.ValidationError:
    return tk.ValidationError({field: [message]})


def text(data_dict: dict[str, Any], field: str, pattern: re.Pattern[str], what: str) -> str:
    """A required string parameter matching `pattern`."""
    value = data_dict.get(field)
    if value is None or value == "":
        raise refuse(field, "Missing value")
    if not isinstance(value, str) or not pattern.match(value):
        raise refuse(field, f"must be {what}")
    return value


def dataset_name(data_dict: dict[str, Any], field: str = "id") -> str:
    return text(data_dict, field, DATASET_NAME, "a dataset name: 2-100 of a-z, 0-9, '-' and '_'")


def resource_id(data_dict: dict[str, Any], field: str = "resource_id") -> str:
    return text(data_dict, field, RESOURCE_ID, "a resource id")


def owner_id(data_dict: dict[str, Any]) -> str:
    return text(data_dict, "owner", OWNER_ID, "a run id: 1-200 of letters, digits and . _ : @ -")


def integer(data_dict: dict[str, Any], field: str, default: int, low: int, high: int) -> int:
    """An integer in [low, high]; strings of digits are accepted (form posts)."""
    value = data_dict.get(field, default)
    if isinstance(value, bool):
        raise refuse(field, f"must be a whole number of seconds from {low} to {high}")
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,9}\s*", value):
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise refuse(field, f"must be a whole number of seconds from {low} to {high}")
    return value


def flag(data_dict: dict[str, Any], field: str, default: bool = False) -> bool:
    value = data_dict.get(field, default)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.lower() in ("true", "1", "yes")
    raise refuse(field, "must be true or false")


def choice(data_dict: dict[str, Any], field: str, allowed: tuple[str, ...], default: str) -> str:
    value = data_dict.get(field, default)
    if value not in allowed:
        raise refuse(field, f"must be one of: {', '.join(allowed)}")
    return str(value)


def id_list(data_dict: dict[str, Any], field: str) -> list[str]:
    value = data_dict.get(field) or []
    if not isinstance(value, list) or not all(
        isinstance(v, str) and RESOURCE_ID.match(v) for v in value
    ):
        raise refuse(field, "must be a list of resource ids")
    return value


def mapping(data_dict: dict[str, Any], field: str) -> dict[str, Any]:
    value = data_dict.get(field) or {}
    if not isinstance(value, dict):
        raise refuse(field, "must be an object")
    return value
