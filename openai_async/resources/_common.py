"""Checks of what today's endpoints share: ``metadata``, ``expires_after``, cursors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from .._exceptions import InvalidParameterError, shown
from ._checks import check_range, json_body

__all__ = [
    "check_after",
    "check_expires_after",
    "check_metadata",
    "form_expires_after",
    "page_query",
]

# The spec's Metadata: "16 key-value pairs ... Keys are strings with a maximum length
# of 64 characters. Values are strings with a maximum length of 512 characters."
_MAX_PAIRS: Final = 16
_MAX_KEY: Final = 64
_MAX_VALUE: Final = 512
# FileExpirationAfter and BatchFileExpirationAfter: 1 hour to 30 days after creation.
_MIN_EXPIRY: Final = 3600
_MAX_EXPIRY: Final = 2_592_000


def check_metadata(name: str, metadata: object) -> None:
    """At most 16 string pairs, keys up to 64 and values up to 512 characters."""
    if metadata is None:
        return
    if not isinstance(metadata, Mapping):
        raise InvalidParameterError(name, f"expected a mapping, got {type(metadata).__name__}")
    if len(metadata) > _MAX_PAIRS:
        raise InvalidParameterError(name, f"at most {_MAX_PAIRS} pairs, got {len(metadata)}")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise InvalidParameterError(name, f"keys and values must be strings ({shown(key)})")
        if len(key) > _MAX_KEY:
            raise InvalidParameterError(name, f"key {key[:20]!r}... is over {_MAX_KEY} chars")
        if len(value) > _MAX_VALUE:
            raise InvalidParameterError(
                name, f"the value of {shown(key)} is over {_MAX_VALUE} chars"
            )


def check_expires_after(name: str, expires_after: object) -> None:
    """``{"anchor": "created_at", "seconds": 3600 to 2592000}``."""
    if expires_after is None:
        return
    if not isinstance(expires_after, Mapping):
        raise InvalidParameterError(name, f"expected a mapping, got {type(expires_after).__name__}")
    anchor = expires_after.get("anchor")
    if anchor != "created_at":
        raise InvalidParameterError(f"{name}.anchor", f"must be 'created_at', got {shown(anchor)}")
    seconds = expires_after.get("seconds")
    if not isinstance(seconds, int) or isinstance(seconds, bool):
        raise InvalidParameterError(f"{name}.seconds", f"expected an integer, got {shown(seconds)}")
    if not _MIN_EXPIRY <= seconds <= _MAX_EXPIRY:
        raise InvalidParameterError(
            f"{name}.seconds",
            f"must be between {_MIN_EXPIRY} and {_MAX_EXPIRY}, got {shown(seconds)}",
        )
    unknown = set(expires_after) - {"anchor", "seconds"}
    if unknown:
        raise InvalidParameterError(name, f"unknown keys {sorted(unknown)}")


def form_expires_after(expires_after: Mapping[str, Any] | None) -> dict[str, Any]:
    """``expires_after`` as form fields, the way multipart carries an object: ``name[key]``."""
    check_expires_after("expires_after", expires_after)
    if expires_after is None:
        return {}
    return {f"expires_after[{key}]": value for key, value in expires_after.items()}


def page_query(after: object, limit: object, max_limit: int | None = None) -> dict[str, Any]:
    """The query of one page of a cursor list: ``after`` and ``limit``, checked."""
    check_after("after", after)
    check_range("limit", limit, 1, max_limit)
    return json_body(after=after, limit=limit)


def check_after(name: str, value: object) -> None:
    """A page cursor: the id of the last object of the page before."""
    if value is not None and (not isinstance(value, str) or not value):
        raise InvalidParameterError(name, f"expected an id, got {shown(value)}")
