"""Pure parts of /responses: unions told apart by type, and the server's schema examples."""

from __future__ import annotations

import copy
import keyword
from typing import Any, get_args, get_type_hints

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openai_async._models import STRUCTURE_ERRORS, structure
from openai_async.testing._generate import instance_of
from openai_async.types import (
    ResponseContent,
    ResponseContentPart,
    ResponseEvent,
    ResponseItem,
    ResponseOutputItem,
    ResponseOutputMessage,
    ResponseStreamEvent,
    ResponseTextDeltaEvent,
)

UNIONS = [
    (ResponseStreamEvent, ResponseEvent),
    (ResponseOutputItem, ResponseItem),
    (ResponseContent, ResponseContentPart),
]


def _type_of(member: type) -> Any:
    return get_type_hints(member)["type"]


ALL_TAGS = {
    value
    for union, fallback in UNIONS
    for member in get_args(union)
    if member is not fallback
    for value in get_args(_type_of(member))
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)
names = st.from_regex(r"[a-z][a-z_]{0,8}", fullmatch=True).filter(
    lambda n: not keyword.iskeyword(n)
)


@pytest.mark.parametrize(("union", "fallback"), UNIONS, ids=lambda u: getattr(u, "__name__", ""))
@settings(max_examples=60)
@given(
    tag=st.text(max_size=30).filter(lambda t: t not in ALL_TAGS),
    fields=st.dictionaries(names, json_values, max_size=4),
)
def test_unknown_kinds_keep_everything(
    union: Any, fallback: type, tag: str, fields: dict[str, Any]
) -> None:
    """An object of a kind no member names becomes the generic member, whole and readable."""
    data = {**fields, "type": tag}
    built = structure(data, union)
    assert type(built) is fallback
    assert built.to_dict() == data
    for name, value in fields.items():
        if name not in {"type", "id", "sequence_number"}:
            assert getattr(built, name) == value


@pytest.mark.parametrize("tag", sorted(ALL_TAGS))
def test_each_known_tag_builds_its_member(tag: str) -> None:
    """Every tag a member declares builds that member, through whichever union holds it."""
    for union, _ in UNIONS:
        members = [m for m in get_args(union) if tag in get_args(_type_of(m))]
        if not members:
            continue
        data: dict[str, Any] = {"type": tag, "response": {"id": "r"}, "item": {"type": "x"}}
        data["part"] = {"type": "output_text", "text": "t"}
        assert type(structure(data, union)) is members[0]


def test_a_known_tag_with_a_bad_shape_is_refused() -> None:
    """A known kind whose fields do not fit raises one of the errors callers translate."""
    with pytest.raises(STRUCTURE_ERRORS):
        structure({"type": "message", "content": "not a list of parts"}, ResponseOutputItem)
    with pytest.raises(STRUCTURE_ERRORS):
        structure({"type": "response.output_text.delta", "output_index": "x"}, ResponseStreamEvent)
    with pytest.raises(STRUCTURE_ERRORS):
        structure(["not", "an", "object"], ResponseStreamEvent)
    with pytest.raises(STRUCTURE_ERRORS):  # a member built directly checks its own tag
        structure({"type": "reasoning"}, ResponseOutputMessage)


def test_unknown_attribute_and_private_names_raise() -> None:
    """The generic member reads only keys that were sent; private names are never looked up."""
    event = structure({"type": "response.new", "a": 1}, ResponseStreamEvent)
    assert isinstance(event, ResponseEvent)
    assert event.a == 1
    with pytest.raises(AttributeError, match="'b'"):
        _ = event.b
    blank = object.__new__(ResponseEvent)  # as copy and pickle make one, slots unset
    with pytest.raises(AttributeError):
        _ = blank.anything
    copied = copy.deepcopy(event)
    assert copied == event
    assert copied.a == 1


def test_delta_events_take_the_model_hook() -> None:
    """The most frequent event is built by the converter's model hook, resolved once."""
    from openai_async._models import _converter

    hook = _converter().get_structure_hook(ResponseTextDeltaEvent)
    assert hook.__name__ == "structure_api_object"


# -- the local server's answers to json_schema formats and tool parameters (shared with
# chat's): the subset of JSON schema Structured Outputs use ------------------------------

leaf_schemas = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "null"},
        {"type": ["string", "null"]},
        {"enum": ["red", "green"]},
        {"const": 7},
        {"anyOf": [{"type": "integer"}, {"type": "null"}]},
        {"$ref": "#/$defs/Point"},
    ]
)
schemas = st.recursive(
    leaf_schemas,
    lambda inner: (
        st.builds(
            lambda props: {
                "type": "object",
                "properties": props,
                "required": sorted(props),
                "additionalProperties": False,
            },
            st.dictionaries(names, inner, max_size=4),
        )
        | st.builds(lambda items: {"type": "array", "items": items}, inner)
    ),
    max_leaves=8,
)
POINT = {
    "type": "object",
    "properties": {"x": {"type": "number"}, "label": {"type": "string"}},
    "required": ["x", "label"],
    "additionalProperties": False,
}


@settings(max_examples=200)
@given(schema=schemas, text=st.text(max_size=10))
def test_server_examples_validate(schema: dict[str, Any], text: str) -> None:
    """What the server answers for a schema validates against that schema."""
    document = {**schema, "$defs": {"Point": POINT}}
    jsonschema.validate(instance_of(document, text), document)
