"""The one cattrs converter: its hooks for optional fields build what cattrs's own build.

The converter resolves the inner hook of every ``T | None`` once instead of on each
call; everything else is cattrs's generated code. The reference below is the same
converter with cattrs's own optional handling.
"""

from __future__ import annotations

import inspect
import math
from types import NoneType, UnionType
from typing import Any, Union, get_args, get_origin

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async import types
from openai_async._models import JSON_KEY, APIObject, _converter, _make_converter, structure

REFERENCE = _make_converter(optional_hooks=False)  # cattrs's own handling of T | None
# What a body that does not fit raises on either path; OverflowError is int(inf), since
# json.loads accepts Infinity (the client lets it through on both paths alike).
DECODE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, OverflowError)

MODELS = sorted(
    (
        cls
        for _, cls in inspect.getmembers(types, inspect.isclass)
        if issubclass(cls, APIObject) and not getattr(cls, "__parameters__", ())
    ),
    key=lambda cls: cls.__name__,
)

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
any_json = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=6,
)


def value_for(kind: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Mostly values that fit ``kind``, sometimes any JSON at all (which may not)."""
    fitting: st.SearchStrategy[Any]
    origin = get_origin(kind)
    if kind is str:
        fitting = st.text(max_size=8)
    elif kind is bool:
        fitting = st.booleans()
    elif kind is int:
        fitting = st.integers()
    elif kind is float:
        fitting = st.floats() | st.integers()
    elif origin in (Union, UnionType):
        fitting = st.one_of([value_for(arg, depth) for arg in get_args(kind)])
    elif kind is NoneType:
        fitting = st.none()
    elif origin is list and depth < 3:
        fitting = st.lists(value_for(get_args(kind)[0], depth + 1), max_size=3)
    elif isinstance(kind, type) and issubclass(kind, APIObject) and depth < 3:
        fitting = object_for(kind, depth + 1)
    else:
        fitting = any_json
    return st.one_of(fitting, fitting, fitting, any_json)


def object_for(cls: type[Any], depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object for ``cls``: each of its keys present or not, plus an unknown one."""
    attrs.resolve_types(cls)
    optional = {
        field.metadata.get(JSON_KEY, field.name): value_for(field.type, depth)
        for field in attrs.fields(cls)
        if field.init
    }
    optional["unknown_key"] = any_json
    return st.fixed_dictionaries({}, optional=optional)


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 == True == 1.0 is not enough)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, APIObject):
        return (
            all(same(getattr(a, f.name), getattr(b, f.name)) for f in attrs.fields(type(a)))
            and a._raw is b._raw
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def test_optional_fields_take_the_resolved_hooks() -> None:
    """``T | None`` goes to the converter's own hooks (else the rest proves nothing)."""
    converter = _converter()
    assert converter.get_structure_hook(str | None).__name__ == "structure_optional_scalar"
    hook = converter.get_structure_hook(types.CompletionUsage | None)
    assert hook.__name__ == "structure_optional"
    assert REFERENCE.get_structure_hook(str | None).__name__ != "structure_optional_scalar"


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_converter_matches_cattrs_own_optionals(cls: type[Any], data: st.DataObject) -> None:
    """Same object (types and values, nested ones too) or an error with both converters."""
    body = data.draw(object_for(cls))
    try:
        expected = REFERENCE.structure(body, cls)
    except DECODE_ERRORS:
        with pytest.raises(DECODE_ERRORS):
            structure(body, cls)
        return
    assert same(structure(body, cls), expected)


def test_a_chunk_with_coercible_values() -> None:
    """Values cattrs converts (an int id, a numeric-string index) are converted the same."""
    body = {"id": 7, "created": "12", "choices": [{"index": "0", "delta": {"content": 5}}]}
    chunk = structure(body, types.ChatCompletionChunk)
    assert chunk.id == "7"
    assert chunk.created == 12
    assert chunk.choices[0].index == 0
    assert chunk.choices[0].delta.content == "5"
    assert same(chunk, REFERENCE.structure(body, types.ChatCompletionChunk))


def test_missing_required_key_is_a_key_error() -> None:
    """A chunk without ``id`` raises KeyError, as cattrs does."""
    with pytest.raises(KeyError, match="id"):
        structure({"choices": []}, types.ChatCompletionChunk)


def _vector_by_item(value: list[Any]) -> list[float]:
    """The per-item check the embedding hook did before its fast path."""
    for item in value:
        if not isinstance(item, int | float) or isinstance(item, bool):
            raise TypeError(item)
    return [float(item) for item in value]


class _FloatSubclass(float):
    pass


numbers_and_not = st.lists(
    st.floats()
    | st.floats().map(_FloatSubclass)
    | st.integers()
    | st.booleans()
    | st.none()
    | st.text(max_size=2),
    max_size=6,
)


@given(st.lists(st.floats(), max_size=6) | st.lists(st.integers() | st.floats()) | numbers_and_not)
def test_embedding_vector_fast_path_matches_the_item_check(value: list[Any]) -> None:
    """Floats, ints, bools, None, text: the same list of plain floats or a TypeError."""
    from openai_async.types._embedding import _vector

    try:
        expected = _vector_by_item(value)
    except TypeError:
        with pytest.raises(TypeError, match="expected a number"):
            _vector(value, list[float])
        return
    result = _vector(value, list[float])
    assert result is not value
    assert all(type(x) is float for x in result)
    assert same(result, expected)


@attrs.frozen(kw_only=True)
class _Checked(APIObject):
    n: int = attrs.field(validator=attrs.validators.ge(0))


@attrs.frozen(kw_only=True, cache_hash=True)
class _CachedHash(APIObject):
    n: int = 0


def test_validators_and_hash_caches_work() -> None:
    """A validator runs and attrs's hash cache is set: models go through their __init__."""
    with pytest.raises(ValueError, match="n"):
        structure({"n": -1}, _Checked)
    assert hash(structure({"n": 3}, _CachedHash)) == hash(_CachedHash(n=3))
