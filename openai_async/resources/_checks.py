"""Argument checks shared by the endpoint methods; each names the parameter it rejects."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._exceptions import InvalidParameterError, shown

__all__ = [
    "check_choice",
    "check_flag",
    "check_max_length",
    "check_number",
    "check_range",
    "json_body",
]


def json_body(**params: Any) -> dict[str, Any]:
    """The parameters that were given (None means "leave it out": the API's default)."""
    return {name: value for name, value in params.items() if value is not None}


def check_flag(name: str, value: object) -> None:
    """A bool parameter the client acts on (``stream``): any other value is refused."""
    if not isinstance(value, bool):
        raise InvalidParameterError(name, f"expected True or False, got {shown(value)}")


def check_range(name: str, value: object, low: int, high: int | None = None) -> None:
    """An integer parameter within its documented bounds (``high`` None: no upper one)."""
    if value is None:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidParameterError(name, f"expected an integer, got {shown(value)}")
    if value < low or (high is not None and value > high):
        bounds = f"at least {low}" if high is None else f"between {low} and {high}"
        raise InvalidParameterError(name, f"must be {bounds}, got {shown(value)}")


def check_number(name: str, value: object, low: float, high: float) -> None:
    """A number parameter (int or float) within its documented bounds, both included."""
    if value is None:
        return
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise InvalidParameterError(name, f"expected a number, got {shown(value)}")
    if not low <= value <= high:  # NaN fails this too
        raise InvalidParameterError(
            name, f"must be between {low:g} and {high:g}, got {shown(value)}"
        )


def check_choice(name: str, value: object, allowed: Collection[str]) -> None:
    if value is not None and value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise InvalidParameterError(name, f"must be one of {choices}, got {shown(value)}")


def check_max_length(name: str, value: object, limit: int) -> None:
    if not isinstance(value, str):
        raise InvalidParameterError(name, f"expected a string, got {type(value).__name__}")
    if len(value) > limit:
        raise InvalidParameterError(name, f"is {len(value)} characters; the limit is {limit}")
