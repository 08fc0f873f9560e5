"""pydantic's ``model_dump`` options on our models: what ``APIObject.model_dump`` runs.

Loaded at the first ``model_dump`` with options (or ``model_fields`` /
``model_fields_set``): code written for the official SDK calls these on its pydantic
models, and gets the same dicts here for the same JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._models import JSON_KEY, APIObject

__all__ = ["DumpOptions", "Keys", "declared", "dump_model", "is_set"]

# ``include`` / ``exclude`` of model_dump: keys, or keys (list indices, "__all__") to
# what to keep or leave out below them (True: all of it).
Keys = set[str] | set[int] | Mapping[str, Any] | Mapping[int, Any]


@attrs.frozen
class DumpOptions:
    exclude_unset: bool
    exclude_none: bool
    attribute_names: bool  # by_alias=False: a field whose JSON key is no identifier


_declared_cache: dict[type, tuple[attrs.Attribute[Any], ...]] = {}


def declared(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The fields of a model that come from JSON keys (not ``_raw``)."""
    fields = _declared_cache.get(cls)
    if fields is None:
        fields = _declared_cache[cls] = tuple(a for a in attrs.fields(cls) if a.init)
    return fields


def _default_of(field: attrs.Attribute[Any]) -> Any:
    default: Any = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default


def is_set(obj: APIObject, field: attrs.Attribute[Any]) -> bool:
    """Whether the server sent ``field`` (by hand: whether it is not at its default)."""
    if obj._raw is not None:
        return field.metadata.get(JSON_KEY, field.name) in obj._raw
    return field.default is attrs.NOTHING or getattr(obj, field.name) != _default_of(field)


def _sub(keys: Keys | None, key: str | int) -> tuple[bool, Any]:
    """Whether ``key`` is in ``keys`` (an include or exclude), and what of it is, below."""
    if keys is None:
        return False, None
    if isinstance(keys, Mapping):
        spec: Mapping[Any, Any] = keys
        below = spec.get(key, spec.get("__all__"))
        if below is None or below is False:
            return False, None
        return True, None if below is True or below is Ellipsis else below
    return key in keys, None


def _wanted(
    include: Keys | None, exclude: Keys | None, *keys: str | int
) -> tuple[bool, Keys | None, Keys | None]:
    """Whether a value under one of ``keys`` is dumped, and its own include and exclude."""
    below_include = below_exclude = None
    if include is not None:
        found = [_sub(include, key) for key in keys]
        if not any(hit for hit, _ in found):
            return False, None, None
        below_include = next(below for hit, below in found if hit)
    if exclude is not None:
        for key in keys:
            hit, below = _sub(exclude, key)
            if hit and below is None:
                return False, None, None
            if hit:
                below_exclude = below
    return True, below_include, below_exclude


def dump_model(
    obj: APIObject, options: DumpOptions, include: Keys | None, exclude: Keys | None
) -> dict[str, Any]:
    """``model_dump`` with options: the fields as the model holds them, then its extra keys."""
    result: dict[str, Any] = {}
    for field in declared(type(obj)):
        json_key: str = field.metadata.get(JSON_KEY, field.name)
        wanted, below_include, below_exclude = _wanted(include, exclude, field.name, json_key)
        if not wanted:
            continue
        # A received object gives the keys that were sent; one made by hand all its
        # fields (as to_dict()), unless exclude_unset.
        if (options.exclude_unset or obj._raw is not None) and not is_set(obj, field):
            continue
        value = getattr(obj, field.name)
        if value is None and options.exclude_none:
            continue
        key = field.name if options.attribute_names else json_key
        result[key] = _dump_value(value, options, below_include, below_exclude)
    for key, value in obj.extra.items():
        wanted, below_include, below_exclude = _wanted(include, exclude, key)
        if wanted and not (value is None and options.exclude_none):
            result[key] = _dump_value(value, options, below_include, below_exclude)
    return result


def _dump_value(
    value: Any, options: DumpOptions, include: Keys | None, exclude: Keys | None
) -> Any:
    if isinstance(value, APIObject):
        return dump_model(value, options, include, exclude)
    if isinstance(value, list | tuple):
        items = []
        for index, item in enumerate(value):
            wanted, below_include, below_exclude = _wanted(include, exclude, index)
            if wanted:
                items.append(_dump_value(item, options, below_include, below_exclude))
        return items
    if isinstance(value, dict):
        # A plain JSON object (pydantic's exclude_none does not reach into one either),
        # or a mapping to models.
        result = {}
        for key, item in value.items():
            wanted, below_include, below_exclude = _wanted(include, exclude, key)
            if wanted:
                result[key] = _dump_value(item, options, below_include, below_exclude)
        return result
    return value
