"""Generated structure functions for the plain model classes: the streaming hot path.

cattrs builds a model in three layers of calls per object (its generated function, a
hook per optional field that dispatches on the type again, then the attrs ``__init__``
through a keyword dict); for a stream chunk that was a quarter of its whole cost.
Here one straight-line function per class reads each key, converts it and sets the
slot directly. It must give exactly what cattrs gives, errors included (the tests
compare the two on generated input):

- ``str``, ``int``, ``float``, ``bool`` become ``T(value)``, as cattrs does; a value
  already of exactly that type is taken as is, which is what ``T(value)`` returns;
- ``T | None`` of those: None stays None, anything else as above;
- every other type goes to the converter's own hook for it, resolved once;
- a missing key takes the field's default, or raises ``KeyError`` like cattrs.

A class this does not cover (generic, with validators, converters, a post-init hook,
non-init fields or slots that are not fields) returns None and keeps the cattrs path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MemberDescriptorType, NoneType, UnionType
from typing import Any, Final, Union, get_args, get_origin

import attrs
import cattrs

__all__ = ["JSON_KEY", "STRUCTURE_HOOK", "fast_structure_fn"]

# Field metadata a model may set, e.g. ``attrs.field(metadata={JSON_KEY: "hate/threatening"})``:
# JSON_KEY names the key on the wire when it is no Python identifier; STRUCTURE_HOOK is a
# ``(value, type) -> value`` function that builds the field from its JSON value.
JSON_KEY: Final = "openai_async.json_key"
STRUCTURE_HOOK: Final = "openai_async.structure_hook"

_SCALARS: Final = (str, int, float, bool)


def fast_structure_fn(
    cls: type, converter: cattrs.Converter, raw_field: str
) -> Callable[[Any, Any], Any] | None:
    """A function ``(data, type) -> instance`` for ``cls``, or None if it is not covered.

    ``raw_field`` is set to the input mapping itself (``APIObject._raw``).
    """
    if not _covered(cls, raw_field):
        return None
    attrs.resolve_types(cls)
    env: dict[str, Any] = {
        "Mapping": Mapping,
        "cls": cls,
        "new": object.__new__,
        "set_attr": object.__setattr__,
    }
    body = [
        "def structure(o, _=None):",
        "    if type(o) is not dict and not isinstance(o, Mapping):",
        "        raise TypeError(f'expected a JSON object for {cls!r}, got {type(o).__name__}')",
        "    obj = new(cls)",
        f"    {_setter('raw', cls, raw_field, env)}o)",
    ]
    for i, field in enumerate(attrs.fields(cls)):
        if field.name == raw_field:
            continue
        key = field.metadata.get(JSON_KEY, field.name)
        value = _converted(f"f{i}", field, converter, env)
        set_ = _setter(f"f{i}_set", cls, field.name, env)
        body += [f"    if {key!r} in o:", f"        v = o[{key!r}]", f"        {set_}{value})"]
        if field.default is attrs.NOTHING:
            body.append(f"    else:\n        raise KeyError({key!r})")
        elif isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            env[f"f{i}_factory"] = field.default.factory
            body.append(f"    else:\n        {set_}f{i}_factory())")
        else:
            env[f"f{i}_default"] = field.default
            body.append(f"    else:\n        {set_}f{i}_default)")
    body.append("    return obj")
    code = compile("\n".join(body), f"<openai_async structure {cls.__qualname__}>", "exec")
    exec(code, env)
    function: Callable[[Any, Any], Any] = env["structure"]
    return function


def _setter(name: str, cls: type, attribute: str, env: dict[str, Any]) -> str:
    """The start of a call that sets ``attribute`` on ``obj``; the caller adds the value."""
    for klass in cls.__mro__:
        slot = vars(klass).get(attribute)
        if slot is not None:
            break
    if type(slot) is MemberDescriptorType:
        # The slot's own setter: a third of the time of object.__setattr__ by name.
        env[name] = slot.__set__
        return f"{name}(obj, "
    return f"set_attr(obj, {attribute!r}, "


def _covered(cls: type, raw_field: str) -> bool:
    if getattr(cls, "__parameters__", ()) or get_origin(cls) is not None:
        return False  # generic: cattrs maps its type variables
    if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
        return False
    fields = attrs.fields(cls)
    slots = {name for klass in cls.__mro__ for name in vars(klass).get("__slots__", ())}
    if slots - {field.name for field in fields} - {"__weakref__"}:
        return False  # e.g. attrs's hash cache, which only __init__ would set
    for field in fields:
        if field.validator is not None or field.converter is not None:
            return False
        if not field.init and field.name != raw_field:
            return False
        if isinstance(field.default, attrs.Factory) and field.default.takes_self:  # type: ignore[arg-type]
            return False
    return True


def _converted(
    name: str, field: attrs.Attribute[Any], converter: cattrs.Converter, env: dict[str, Any]
) -> str:
    """The expression that builds this field from ``v``."""
    hook = field.metadata.get(STRUCTURE_HOOK)
    kind = field.type
    if hook is None:
        if kind in _SCALARS:
            env[name] = kind
            return f"v if type(v) is {name} else {name}(v)"
        inner = _optional_of(kind)
        if inner in _SCALARS:
            env[name] = inner
            return f"v if v is None or type(v) is {name} else {name}(v)"
        if inner is not None:
            env[name], env[f"{name}_type"] = _hook(converter, inner), inner
            return f"None if v is None else {name}(v, {name}_type)"
        hook = _hook(converter, kind)
    env[name], env[f"{name}_type"] = hook, kind
    return f"{name}(v, {name}_type)"


def _hook(converter: cattrs.Converter, kind: Any) -> Callable[[Any, Any], Any]:
    try:
        return converter.get_structure_hook(kind)
    except RecursionError:
        # A model that contains itself: look the hook up at call time, as cattrs does.
        return converter.structure


def _optional_of(kind: Any) -> Any:
    """``T`` for ``T | None`` (or ``Optional[T]``), else None."""
    if get_origin(kind) not in (Union, UnionType):
        return None
    args = get_args(kind)
    if len(args) != 2 or NoneType not in args:
        return None
    return args[0] if args[1] is NoneType else args[1]
