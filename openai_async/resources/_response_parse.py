"""``responses.parse``: the text format sent for a model class or a schema, and the reader.

The schema helpers and the model-class test are Structured Outputs' own (``_structured``),
shared with ``chat.completions.parse``; only the shapes differ: ``/responses`` wants
``text.format`` and function tools flat, without chat's ``function`` wrapper.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import httpx

from .._exceptions import InvalidParameterError, shown
from .._structured import FunctionTool, _is_model_class, _parse, to_strict_json_schema
from ..types import (
    ParsedResponse,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)

__all__ = ["ParsedReader", "Parser", "format_for", "parse_tools"]

Parser = Any  # (str) -> the parsed value


def format_for(text_format: object) -> tuple[dict[str, Any], Parser]:
    """``text.format`` for a model class or a JSON schema, and how its text is parsed."""
    if _is_model_class(text_format):
        schema = to_strict_json_schema(text_format.model_json_schema())
        name = text_format.__name__
        parser: Parser = text_format.model_validate_json
    elif isinstance(text_format, Mapping):
        schema, name, parser = to_strict_json_schema(text_format), "response", json.loads
    else:
        raise InvalidParameterError(
            "text_format",
            f"expected a pydantic model class or a JSON schema dict, got {shown(text_format)}",
        )
    return {"type": "json_schema", "name": name, "schema": schema, "strict": True}, parser


def parse_tools(tools: object) -> tuple[list[Any] | None, dict[str, Parser]]:
    """The tools as sent, and a parser per strict function tool.

    A tool made by ``pydantic_function_tool`` has chat's shape (``{"type":
    "function", "function": {...}}``): it is sent flat, as ``/responses`` wants.
    """
    if not isinstance(tools, Sequence) or isinstance(tools, str | bytes):
        return None, {}
    sent: list[Any] = []
    parsers: dict[str, Parser] = {}
    for tool in tools:
        if isinstance(tool, FunctionTool):
            flat = {"type": "function", **tool["function"]}
            parsers[flat["name"]] = tool.model.model_validate_json
            sent.append(flat)
            continue
        if (
            isinstance(tool, Mapping)
            and tool.get("type") == "function"
            and tool.get("strict") is True
            and isinstance(tool.get("name"), str)
        ):
            parsers[tool["name"]] = json.loads
        sent.append(tool)
    return sent, parsers


@attrs.frozen
class ParsedReader:
    """Reads a ``parse`` answer: the response, its text and its calls' arguments parsed."""

    content: Parser | None
    tools: Mapping[str, Parser]

    def __call__(self, response: httpx.Response) -> ParsedResponse[Any]:
        from .._decode import decode_json

        return self.parsed(response, decode_json(response))

    def parsed(self, response: httpx.Response, data: object) -> ParsedResponse[Any]:
        """The response ``data`` (decoded JSON) came in ``response``, parsed as asked."""
        from .._decode import structure_body

        parsed: ParsedResponse[Any] = structure_body(response, data, ParsedResponse[Any])
        finish = parsed.incomplete_details.reason if parsed.incomplete_details else None
        for item in parsed.output:
            if isinstance(item, ResponseOutputMessage) and self.content is not None:
                for part in item.content:
                    if isinstance(part, ResponseOutputText):
                        value = _parse(self.content, part.text, response, finish)
                        object.__setattr__(part, "parsed", value)
            elif isinstance(item, ResponseFunctionToolCall):
                parser = self.tools.get(item.name)
                if parser is not None:
                    arguments = _parse(parser, item.arguments, response, None)
                    object.__setattr__(item, "parsed_arguments", arguments)
        return parsed
