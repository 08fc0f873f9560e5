"""Strict JSON schemas for Structured Outputs (a pure function: unit and property tests)."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from openai_async._structured import to_strict_json_schema


def _object_nodes(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, list):
        for item in node:
            found += _object_nodes(item)
    elif isinstance(node, dict):
        if node.get("type") == "object" or "properties" in node:
            found.append(node)
        for value in node.values():
            found += _object_nodes(value)
    return found


leaf = st.sampled_from(
    [{"type": "string"}, {"type": "integer", "default": None}, {"type": "boolean"}]
)
schemas = st.recursive(
    leaf,
    lambda children: st.one_of(
        st.builds(
            lambda props: {"type": "object", "properties": props},
            st.dictionaries(st.sampled_from("abcde"), children, max_size=4),
        ),
        st.builds(lambda items: {"type": "array", "items": items}, children),
        st.builds(lambda branches: {"anyOf": branches}, st.lists(children, min_size=1, max_size=3)),
    ),
    max_leaves=12,
)


@given(schemas)
def test_every_object_is_closed_and_fully_required(schema: dict[str, Any]) -> None:
    """Every object node, however deep, is closed and requires all its properties."""
    before = copy.deepcopy(schema)
    strict = to_strict_json_schema(schema)
    assert schema == before  # the caller's schema is left alone
    for node in _object_nodes(strict):
        assert node["additionalProperties"] is False
        assert node["required"] == list(node.get("properties", {}))
    assert '"default": null' not in repr(strict).replace("'", '"').replace("None", "null")


def test_defs_are_made_strict() -> None:
    """Objects under $defs (pydantic's nested models) are made strict too."""
    schema = {
        "type": "object",
        "properties": {"pet": {"$ref": "#/$defs/Pet"}},
        "$defs": {"Pet": {"type": "object", "properties": {"name": {"type": "string"}}}},
    }
    pet = to_strict_json_schema(schema)["$defs"]["Pet"]
    assert pet == {
        "type": "object",
        "properties": {"name": {"type": "string"}},
        "additionalProperties": False,
        "required": ["name"],
    }
