"""Argument checks shared by the endpoint methods; each names the parameter it rejects."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Final, Literal, Union

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown

__all__ = [
    "check_choice",
    "check_flag",
    "check_max_length",
    "check_number",
    "check_range",
    "check_types",
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


def check_types(params: Mapping[str, Any], declared: type) -> None:
    """Each parameter given of a type its ``TypedDict`` declares, at the top level.

    A str where a bool is declared, a list where a mapping is, a bool where an int is:
    each would be sent, to be refused by the server. Types are read from the
    ``TypedDict`` once; parameters of types it does not model (files, classes) are left
    to their own checks, and what is inside a list or mapping to the JSON encoder.
    """
    rules = _RULES.get(declared)
    if rules is None:
        rules = _RULES[declared] = _rules(declared)
    for name, value in params.items():
        rule = rules.get(name)
        if rule is None or type(value) in rule[0] or value is None:
            continue  # nearly always: a value of exactly a type the rule takes
        if not rule[1](value):
            raise InvalidParameterError(name, f"expected {rule[2]}, got {shown(value)}")


# The exact types that pass at once; the check for the rest (subclasses, ABCs); words.
_Rule = tuple[frozenset[type], Callable[[object], bool], str]
_PLAIN: Final = {str: "a string", bool: "a bool", int: "an integer", float: "a number"}
_ACCEPTED: Final[dict[type, tuple[type, ...]]] = {float: (int, float)}


_RULES: dict[type, dict[str, _Rule]] = {}  # made once per TypedDict


def _rules(declared: type) -> dict[str, _Rule]:
    rules: dict[str, _Rule] = {}
    for name, hint in typing.get_type_hints(declared).items():
        kinds = _kinds(hint)
        if kinds:
            rules[name] = _rule(kinds)
    return rules


def _kinds(hint: object) -> set[type] | None:
    """The runtime types an annotation allows, or None when it has one we do not model.

    ``NotGiven`` allows none: endpoint methods drop such arguments before their checks.
    """
    if hint is type(None) or hint is NotGiven:
        return set()
    if hint in _PLAIN:
        return {hint}
    origin = typing.get_origin(hint)
    if origin is Literal:
        return {type(value) for value in typing.get_args(hint)}
    if origin in (Union, types.UnionType):
        found: set[type] = set()
        for member in typing.get_args(hint):
            kinds = _kinds(member)
            if kinds is None:
                return None
            found |= kinds
        return found
    if origin in (Mapping, dict):
        return {Mapping}
    if origin in (Sequence, list):
        return {Sequence}
    return None


def _rule(kinds: set[type]) -> _Rule:
    accepted = tuple(kind for group in kinds for kind in _ACCEPTED.get(group, (group,)))
    refused = tuple(kind for kind in (bool, str, bytes, bytearray) if kind not in kinds)
    words = sorted(
        _PLAIN.get(kind, "a list" if kind is Sequence else "a mapping") for kind in kinds
    )

    def check(value: object) -> bool:
        # bool is an int, and str and bytes are Sequences: none of them passes for one.
        return isinstance(value, accepted) and not isinstance(value, refused)

    exact = frozenset(kind for kind in accepted if kind in _EXACT) | frozenset(
        kind for group in accepted for kind in _EXACT_OF.get(group, ())
    )
    return exact, check, " or ".join(dict.fromkeys(words))


_EXACT: Final = (str, int, float, bool)
_EXACT_OF: Final[dict[type, tuple[type, ...]]] = {Mapping: (dict,), Sequence: (list, tuple)}
