"""Structured Outputs: ``chat.completions.parse`` and strict function tools from models.

A response format or a tool's parameters may come from a pydantic model class. We use
only that class's own public methods (``model_json_schema``, ``model_validate_json``),
so pydantic is the caller's dependency, never ours. The schema is made strict as the
service requires: every object closed (``additionalProperties: false``) with every
property required, and no ``default`` keys.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

import attrs
import httpx

from ._exceptions import (
    APIResponseValidationError,
    InvalidParameterError,
    caused_by,
    finish_reason_error,
    shown,
)

if TYPE_CHECKING:
    from ._request import APIRequest, RequestOptions
    from .types import Function, ParsedChatCompletion

__all__ = ["FunctionTool", "ParseSpec", "pydantic_function_tool", "to_strict_json_schema"]


class _ModelClass(Protocol):
    """What we use of a pydantic model class (v2)."""

    __name__: str

    def model_json_schema(self) -> dict[str, Any]: ...

    def model_validate_json(self, json_data: str) -> Any: ...


def _is_model_class(value: object) -> TypeGuard[_ModelClass]:
    return isinstance(value, type) and all(
        callable(getattr(value, name, None))
        for name in ("model_json_schema", "model_validate_json")
    )


def to_strict_json_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` as Structured Outputs' strict mode wants it (a new dict)."""
    result = copy.deepcopy(dict(schema))
    _make_strict(result)
    return result


def _make_strict(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            _make_strict(item)
        return
    if not isinstance(node, dict):
        return
    properties = node.get("properties")
    if node.get("type") == "object" or isinstance(properties, dict):
        node["additionalProperties"] = False
        node["required"] = list(properties or {})
    if "default" in node and node["default"] is None:
        del node["default"]
    for key in ("properties", "$defs", "definitions"):
        children = node.get(key)
        if isinstance(children, dict):
            for child in children.values():
                _make_strict(child)
    for key in ("items", "anyOf", "allOf", "oneOf", "prefixItems"):
        if key in node:
            _make_strict(node[key])


class FunctionTool(dict[str, Any]):
    """A strict function tool made from a model class; its calls' arguments are parsed.

    A plain dict for the request body, which also remembers the model class.
    """

    model: Any

    def __init__(self, value: Mapping[str, Any], model: Any) -> None:
        super().__init__(value)
        self.model = model


def pydantic_function_tool(
    model: type[Any], *, name: str | None = None, description: str | None = None
) -> FunctionTool:
    """A strict function tool whose parameters are ``model``'s JSON schema.

    ``chat.completions.parse`` gives its calls ``function.parsed_arguments``: an
    instance of ``model``.
    """
    if not _is_model_class(model):
        raise InvalidParameterError("model", f"expected a pydantic model class, got {shown(model)}")
    function: dict[str, Any] = {
        "name": name or model.__name__,
        "strict": True,
        "parameters": to_strict_json_schema(model.model_json_schema()),
    }
    if description is not None:
        function["description"] = description
    elif model.__doc__:
        function["description"] = model.__doc__.strip()
    return FunctionTool({"type": "function", "function": function}, model)


Parser = Callable[[str], Any]


@attrs.frozen
class ParseSpec:
    """What ``parse`` sends as ``response_format``, and how it reads the answer."""

    response_format: dict[str, Any] | None
    content: Parser | None
    tools: Mapping[str, Parser]
    # A model class as the response format: with a parsed tool, what makes a stream
    # raise on a cut answer at the chunk that ends it (as the SDK's "parseable input").
    rich: bool = False

    @property
    def parseable(self) -> bool:
        """Whether a stream's answer is parsed into objects: a model class, or a parsed tool."""
        return self.rich or bool(self.tools)

    @classmethod
    def build(cls, response_format: object, tools: object) -> ParseSpec:
        sent: dict[str, Any] | None
        content: Parser | None
        if response_format is None:
            sent, content = None, None
        elif _is_model_class(response_format):
            schema = to_strict_json_schema(response_format.model_json_schema())
            sent = _json_schema_format(response_format.__name__, schema)
            content = response_format.model_validate_json
        elif isinstance(response_format, Mapping):
            if isinstance(response_format.get("type"), str) and not _looks_like_schema(
                response_format
            ):
                sent = dict(response_format)  # a whole format: json_schema, json_object, text
                content = json.loads if sent["type"] != "text" else None
            else:
                sent = _json_schema_format("response", to_strict_json_schema(response_format))
                content = json.loads
        else:
            raise InvalidParameterError(
                "response_format",
                "expected a pydantic model class or a JSON schema dict, "
                f"got {shown(response_format)}",
            )
        return cls(sent, content, _tool_parsers(tools), _is_model_class(response_format))

    def request(
        self, method: str, path: str, body: Mapping[str, Any], options: RequestOptions
    ) -> APIRequest[ParsedChatCompletion[Any]]:
        from ._request import APIRequest

        return APIRequest(method=method, path=path, read=self._read, body=body, options=options)

    def _read(self, response: httpx.Response) -> ParsedChatCompletion[Any]:
        from ._decode import decode_json

        return self.parsed(response, decode_json(response))

    def parsed(self, response: httpx.Response, data: object) -> ParsedChatCompletion[Any]:
        """The completion ``data`` (decoded JSON) came in ``response``, parsed as asked."""
        from ._decode import structure_body
        from .types import ParsedChatCompletion

        completion: ParsedChatCompletion[Any] = structure_body(
            response, data, ParsedChatCompletion[Any]
        )
        for choice in completion.choices:
            # The SDK's rule: an answer cut short is not parsed, whatever was asked.
            error = finish_reason_error(choice.finish_reason, completion, response, data)
            if error is not None:
                raise error
            message = choice.message
            if message.content is not None and not message.refusal:
                parsed = self.parse_content(message.content, response, choice.finish_reason)
                object.__setattr__(message, "parsed", parsed)
            for call in message.tool_calls or ():
                arguments = self.parse_arguments(call.function, response)
                object.__setattr__(call.function, "parsed_arguments", arguments)
        return completion

    def parse_content(self, text: str, response: httpx.Response, finish: str | None) -> Any:
        """A message's content as the response format asked (None without one)."""
        return None if self.content is None else _parse(self.content, text, response, finish)

    def parse_arguments(self, function: Function, response: httpx.Response) -> Any:
        """A tool call's arguments, parsed if the tool was strict or made from a model."""
        parser = self.tools.get(function.name)
        return None if parser is None else _parse(parser, function.arguments, response, None)


def _looks_like_schema(value: Mapping[str, Any]) -> bool:
    # {"type": "object", "properties": ...} is a schema; {"type": "json_schema"} a format.
    return value.get("type") not in ("json_schema", "json_object", "text")


def _json_schema_format(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _tool_parsers(tools: object) -> dict[str, Parser]:
    parsers: dict[str, Parser] = {}
    if not isinstance(tools, Sequence):
        return parsers
    for tool in tools:
        function = tool.get("function") if isinstance(tool, Mapping) else None
        if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
            continue
        if isinstance(tool, FunctionTool):
            parsers[function["name"]] = tool.model.model_validate_json
        elif function.get("strict") is True:
            parsers[function["name"]] = json.loads
    return parsers


def _parse(parser: Parser, text: str, response: httpx.Response, finish: str | None) -> Any:
    try:
        return parser(text)
    except Exception as exc:  # pydantic's ValidationError, json's ValueError
        failure = exc  # raised out of the except block: see caused_by
    reason = f" (finish_reason {finish!r})" if finish not in (None, "stop") else ""
    error = APIResponseValidationError(
        f"The answer does not fit the requested format{reason}: {failure}",
        response=response,
        body=text,
    )
    # pydantic's error quotes the input: the key, if the server made the answer of it.
    raise caused_by(error, failure)
