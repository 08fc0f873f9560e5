"""Argument checks shared by ``vector_stores`` and its ``files`` and ``file_batches``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

from .._exceptions import InvalidParameterError, shown
from ._checks import check_choice, check_range, json_body

__all__ = [
    "Attributes",
    "FileStatus",
    "JSONObject",
    "Order",
    "check_attributes",
    "check_ids",
    "check_mapping",
    "list_query",
    "poll_interval",
]

JSONObject = Mapping[str, Any]
# A file's attributes: what search filters match (16 pairs at most).
Attributes = Mapping[str, str | float | bool]
Order = Literal["asc", "desc"]
FileStatus = Literal["in_progress", "completed", "failed", "cancelled"]

_MAX_PAGE = 100  # "Limit can range between 1 and 100"
_FILE_STATES = ("in_progress", "completed", "failed", "cancelled")
_POLL_MS = 1000  # the SDK's default wait between two looks at a processing file


def check_mapping(name: str, value: object) -> None:
    if value is not None and not isinstance(value, Mapping):
        raise InvalidParameterError(name, f"expected a mapping, got {type(value).__name__}")


def check_ids(name: str, value: object, most: int) -> None:
    if value is None:
        return
    if isinstance(value, str | bytes) or not isinstance(value, Sequence):
        raise InvalidParameterError(name, f"expected a list of ids, got {shown(value)}")
    if not all(isinstance(item, str) and item for item in value):
        raise InvalidParameterError(name, "every id must be a non-empty string")
    if len(value) > most:
        raise InvalidParameterError(name, f"holds {len(value)} ids; the limit is {most}")


def check_attributes(value: object) -> None:
    check_mapping("attributes", value)
    if isinstance(value, Mapping) and len(value) > 16:
        raise InvalidParameterError("attributes", f"holds {len(value)} pairs; the limit is 16")


def list_query(
    *, after: object, before: object, limit: object, order: object, **more: Any
) -> dict[str, Any]:
    check_range("limit", limit, 1, _MAX_PAGE)
    check_choice("order", order, ("asc", "desc"))
    check_choice("filter", more.get("filter"), _FILE_STATES)
    for name, cursor in (("after", after), ("before", before)):
        if cursor is not None and (not isinstance(cursor, str) or not cursor):
            raise InvalidParameterError(name, f"expected an object id, got {shown(cursor)}")
    return json_body(after=after, before=before, limit=limit, order=order, **more)


_MAX_POLL_MS: Final = 86_400_000  # a day: past that, a poll is no longer one


def poll_interval(poll_interval_ms: int | None) -> float:
    check_range("poll_interval_ms", poll_interval_ms, 1, _MAX_POLL_MS)
    return (_POLL_MS if poll_interval_ms is None else poll_interval_ms) / 1000
