"""``client.responses``: the Responses API, whole or streamed, ``parse``, stored responses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, Unpack, cast, overload

import httpx

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._messages import message_json
from .._pages import AsyncPaginator
from .._request import (
    APIRequest,
    RequestOptions,
    StreamingEndpoint,
    json_request,
    pop_options,
    sse_request,
)
from .._streaming import AsyncStream, StreamEnd
from ..types import (
    ListResponse,
    ParsedResponse,
    Response,
    ResponseDeleted,
    ResponseOutputItem,
    ResponseStreamEvent,
)
from ._base import Resource, path_param, present
from ._checks import check_choice, check_flag, check_range, check_types, json_body
from ._params import check_sampling
from ._response_parse import ParsedReader, Parser, format_for, parse_tools

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._response_stream import ResponseStreamManager

__all__ = [
    "InputItems",
    "ResponseCreateParams",
    "ResponseInputItemListParams",
    "ResponseRetrieveParams",
    "Responses",
]

T = TypeVar("T")

JSONObject = Mapping[str, Any]
# An item of ``input``: a mapping as the API documents it, or an item a response
# returned (``response.output``), sent back as its JSON.
InputItem = JSONObject | ResponseOutputItem

# A stream of /responses ends on the event that carries the finished response (or on
# an ``error`` event sent without its ``event: error`` name), never on ``[DONE]``.
RESPONSE_STREAM_END: Final = StreamEnd(
    marker=None,
    terminal=frozenset({"response.completed", "response.failed", "response.incomplete", "error"}),
)

_FUNCTION_NAME: Final = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_FORMATS: Final = ("text", "json_schema", "json_object")


class ResponseCreateParams(RequestOptions, total=False):
    """The parameters of ``POST /responses`` (all but ``stream``), declared once.

    Named and typed as the latest API reference has them; None (or leaving one out)
    means "not sent". ``model`` may be left out only when a stored ``prompt`` names
    one. Nested objects (tools, ``text``, ``reasoning``) are plain mappings.
    """

    model: str | NotGiven | None
    input: str | Sequence[InputItem] | NotGiven | None
    instructions: str | NotGiven | None
    # Tools: function tools ({"type": "function", "name", "parameters", "strict"}) and
    # the built-in ones ({"type": "web_search"}, file_search, mcp, ...), passed through.
    tools: Sequence[JSONObject] | NotGiven | None
    tool_choice: str | JSONObject | NotGiven | None
    parallel_tool_calls: bool | NotGiven | None
    max_tool_calls: int | NotGiven | None
    # What the answer looks like: {"format": {"type": "json_schema", ...}, "verbosity"}.
    text: JSONObject | NotGiven | None
    reasoning: JSONObject | NotGiven | None
    max_output_tokens: int | NotGiven | None
    top_logprobs: int | NotGiven | None
    include: Sequence[str] | NotGiven | None
    stream_options: JSONObject | NotGiven | None
    temperature: float | NotGiven | None
    top_p: float | NotGiven | None
    truncation: Literal["auto", "disabled"] | NotGiven | None
    # Conversation state: a stored response to go on from, or a conversation.
    previous_response_id: str | NotGiven | None
    conversation: str | JSONObject | NotGiven | None
    context_management: Sequence[JSONObject] | NotGiven | None
    prompt: JSONObject | NotGiven | None
    store: bool | NotGiven | None
    background: bool | NotGiven | None
    # Service options.
    metadata: Mapping[str, str] | NotGiven | None
    service_tier: str | NotGiven | None
    moderation: JSONObject | NotGiven | None
    prompt_cache_key: str | NotGiven | None
    prompt_cache_options: JSONObject | NotGiven | None
    prompt_cache_retention: Literal["in_memory", "24h"] | NotGiven | None
    safety_identifier: str | NotGiven | None
    user: str | NotGiven | None


class ResponseRetrieveParams(RequestOptions, total=False):
    """The query of ``GET /responses/{id}`` (all but ``stream``)."""

    include: Sequence[str] | NotGiven | None
    include_obfuscation: bool | NotGiven | None
    starting_after: int | NotGiven | None


class ResponseInputItemListParams(RequestOptions, total=False):
    """The query of ``GET /responses/{id}/input_items``."""

    after: str | NotGiven | None
    include: Sequence[str] | NotGiven | None
    limit: int | NotGiven | None
    order: Literal["asc", "desc"] | NotGiven | None


RESPONSES = StreamingEndpoint(
    "POST",
    "responses",
    Response,
    ResponseCreateParams,
    chunk=cast("type[ResponseStreamEvent]", ResponseStreamEvent),
    end=RESPONSE_STREAM_END,
)


def response_body(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
    """The JSON body of ``POST /responses``, every parameter checked before sending."""
    check_flag("stream", stream)
    body = json_body(**params)
    model = body.get("model")
    if model is None and body.get("prompt") is None:
        raise InvalidParameterError("model", "is required (unless a stored prompt names one)")
    if model is not None and not isinstance(model, str):
        raise InvalidParameterError("model", f"expected a string, got {shown(model)}")
    if "input" in body:
        body["input"] = _checked_input(body["input"])
    if "instructions" in body and not isinstance(body["instructions"], str):
        raise InvalidParameterError("instructions", "expected a string")
    if "tools" in body:
        body["tools"] = _checked_tools(body["tools"])
    _check_text(body.get("text"))
    for name in ("reasoning", "prompt", "stream_options", "moderation", "prompt_cache_options"):
        if name in body and not isinstance(body[name], Mapping):
            raise InvalidParameterError(name, f"expected a mapping, got {shown(body[name])}")
    include = body.get("include")
    if include is not None and (
        isinstance(include, str)
        or not isinstance(include, Sequence)
        or not all(isinstance(i, str) for i in include)
    ):
        raise InvalidParameterError("include", "expected a list of strings")
    check_range("max_output_tokens", body.get("max_output_tokens"), 16)  # the documented least
    check_range("max_tool_calls", body.get("max_tool_calls"), 0)
    check_range("top_logprobs", body.get("top_logprobs"), 0, 20)
    check_choice("truncation", body.get("truncation"), ("auto", "disabled"))
    tool_choice = body.get("tool_choice")
    if isinstance(tool_choice, str):  # a mapping names one tool: the service checks it
        check_choice("tool_choice", tool_choice, ("none", "auto", "required"))
    elif tool_choice is not None and not isinstance(tool_choice, Mapping):
        raise InvalidParameterError(
            "tool_choice", f"expected a string or a mapping: {shown(tool_choice)}"
        )
    check_sampling(body)
    if "previous_response_id" in body and "conversation" in body:
        raise InvalidParameterError(
            "previous_response_id", "cannot be used together with conversation"
        )
    if body.get("background") and body.get("store") is False:
        raise InvalidParameterError("background", "needs store: a background response is stored")
    if "stream_options" in body and not stream:
        raise InvalidParameterError("stream_options", "is only allowed with stream=True")
    if stream:
        body["stream"] = True
    return body


def _parse_request(
    text_format: object, params: Mapping[str, Any], *, stream: bool
) -> tuple[dict[str, Any], RequestOptions, ParsedReader]:
    """The body and options of a ``parse`` or ``stream`` call, and how to parse its answer."""
    given: dict[str, Any] = dict(params)
    content: Parser | None = None
    if text_format is not None:
        text = given.get("text") or {}
        if not isinstance(text, Mapping):
            raise InvalidParameterError("text", f"expected a mapping, got {shown(text)}")
        if text.get("format") is not None:
            raise InvalidParameterError("text_format", "give text_format or text.format")
        format_, content = format_for(text_format)
        given["text"] = {**text, "format": format_}
    tools, tool_parsers = parse_tools(given.get("tools"))
    if tools is not None:
        given["tools"] = tools
    options = pop_options(given)
    check_types(given, ResponseCreateParams)
    return response_body(given, stream=stream), options, ParsedReader(content, tool_parsers)


def _checked_input(value: object) -> str | list[Any]:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes) or not isinstance(value, Sequence) or not value:
        raise InvalidParameterError("input", "expected a string or a non-empty list of items")
    items: list[Any] = []
    for position, given in enumerate(value):
        item = message_json(given)
        if not isinstance(item, Mapping) or not ("type" in item or "role" in item):
            raise InvalidParameterError(
                f"input[{position}]", "expected an item: a mapping with a 'type' or a 'role'"
            )
        items.append(item)
    return items


def _checked_tools(tools: object) -> list[JSONObject]:
    if isinstance(tools, str | bytes) or not isinstance(tools, Sequence):
        raise InvalidParameterError("tools", "expected a list of tools")
    for position, tool in enumerate(tools):
        if not isinstance(tool, Mapping) or not isinstance(tool.get("type"), str):
            raise InvalidParameterError(f"tools[{position}]", "expected a mapping with a 'type'")
        if tool["type"] != "function":
            continue  # built-in tools are the service's to check
        if "function" in tool and "name" not in tool:
            raise InvalidParameterError(
                f"tools[{position}]",
                "a Responses function tool is flat ({'type': 'function', 'name': ..., "
                "'parameters': ...}), without chat's 'function' wrapper",
            )
        name = tool.get("name")
        if not isinstance(name, str) or _FUNCTION_NAME.fullmatch(name) is None:
            raise InvalidParameterError(
                f"tools[{position}].name", f"must match [a-zA-Z0-9_-]{{1,64}}, got {shown(name)}"
            )
    return list(tools)


def _check_text(text: object) -> None:
    if text is None:
        return
    if not isinstance(text, Mapping):
        raise InvalidParameterError("text", f"expected a mapping, got {shown(text)}")
    format_ = text.get("format")
    if format_ is None:
        return
    if not isinstance(format_, Mapping) or format_.get("type") not in _FORMATS:
        raise InvalidParameterError(
            "text.format", "expected a mapping whose type is text, json_schema or json_object"
        )
    if format_["type"] == "json_schema":
        if not isinstance(format_.get("name"), str) or not format_["name"]:
            raise InvalidParameterError("text.format.name", "is required for json_schema")
        if not isinstance(format_.get("schema"), Mapping):
            raise InvalidParameterError("text.format.schema", "expected a JSON schema mapping")


class Responses(Resource):
    """``/responses``: ``create`` (whole or streamed), ``parse``, and stored responses.

    ``input_items.list(response_id)`` lists a stored response's input.
    """

    __slots__ = ("input_items",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.input_items = InputItems(client)

    @overload
    async def create(
        self, *, stream: Literal[False] | NotGiven = False, **params: Unpack[ResponseCreateParams]
    ) -> Response: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **params: Unpack[ResponseCreateParams]
    ) -> AsyncStream[ResponseStreamEvent]: ...

    @overload
    async def create(
        self, *, stream: bool, **params: Unpack[ResponseCreateParams]
    ) -> Response | AsyncStream[ResponseStreamEvent]: ...

    async def create(
        self, *, stream: bool | NotGiven = False, **params: Unpack[ResponseCreateParams]
    ) -> Response | AsyncStream[ResponseStreamEvent]:
        """Create a model response; ``stream=True`` gives an ``AsyncStream`` of its events.

        ``input`` is text, or a list of items: messages (``{"role": "user",
        "content": ...}``), items a response returned (``response.output``, sent back
        as their JSON), and ``{"type": "function_call_output", "call_id", "output"}``
        answers to the model's function calls. ``response.output_text`` is its text.

        A stream's events are typed by their ``type`` (``ResponseTextDeltaEvent``,
        ...; a kind not modelled here is a ``ResponseEvent`` that keeps all of it) and
        it ends with ``response.completed``, ``response.failed`` or
        ``response.incomplete``; a stream cut before raises ``StreamTruncatedError``,
        an ``error`` event ``StreamEventError``.
        The parameters are ``ResponseCreateParams``; the per-call options
        ``extra_headers``, ``extra_query``, ``extra_body`` and ``timeout`` apply too.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ResponseCreateParams)
        body = response_body(given, stream=present(stream))
        if stream:
            return await self._client.call(RESPONSES.stream(body, options))
        return await self._client.call(RESPONSES.request(body, options))

    @overload
    async def parse(
        self, *, text_format: type[T], **params: Unpack[ResponseCreateParams]
    ) -> ParsedResponse[T]: ...

    @overload
    async def parse(
        self,
        *,
        text_format: JSONObject | NotGiven | None = None,
        **params: Unpack[ResponseCreateParams],
    ) -> ParsedResponse[Any]: ...

    async def parse(
        self,
        *,
        text_format: type[Any] | JSONObject | NotGiven | None = None,
        **params: Unpack[ResponseCreateParams],
    ) -> ParsedResponse[Any]:
        """A response whose text is parsed: Structured Outputs, as the SDK has them.

        ``text_format`` is a pydantic model class (its JSON schema is sent as
        ``text.format``, made strict as the service requires, and the text validated
        into an instance) or a JSON schema (the text comes back as decoded JSON).
        ``response.output_parsed`` holds the result (None when there is no text: a
        refusal, function calls only). Function tools made with
        ``pydantic_function_tool`` (or strict dict tools) get ``parsed_arguments`` on
        their calls. pydantic is used only through the class you pass.
        """
        body, options, reader = _parse_request(text_format, params, stream=False)
        request: APIRequest[ParsedResponse[Any]] = APIRequest(
            method=RESPONSES.method, path=RESPONSES.path, read=reader, body=body, options=options
        )
        return await self._client.call(request)

    @overload
    def stream(
        self,
        *,
        text_format: type[T],
        response_id: str | NotGiven | None = None,
        starting_after: int | NotGiven | None = None,
        **params: Unpack[ResponseCreateParams],
    ) -> ResponseStreamManager[T]: ...

    @overload
    def stream(
        self,
        *,
        text_format: JSONObject | NotGiven | None = None,
        response_id: str | NotGiven | None = None,
        starting_after: int | NotGiven | None = None,
        **params: Unpack[ResponseCreateParams],
    ) -> ResponseStreamManager[Any]: ...

    def stream(
        self,
        *,
        text_format: type[Any] | JSONObject | NotGiven | None = None,
        response_id: str | NotGiven | None = None,
        starting_after: int | NotGiven | None = None,
        **params: Unpack[ResponseCreateParams],
    ) -> ResponseStreamManager[Any]:
        """A streamed response for ``async with``: the SDK's ``responses.stream`` helper.

        ``async with client.responses.stream(...) as stream``, then ``async for event
        in stream`` (the events of ``create(stream=True)``) and ``await
        stream.get_final_response()`` for the ``ParsedResponse``, parsed as ``parse``
        parses (``text_format``, strict and model-made function tools). The parameters
        are checked here, before anything is sent; the request goes when the block is
        entered. ``stream=True`` is implied (and refused if given).

        With ``response_id``, as the SDK's: the events of that stored (background)
        response, from the one after ``starting_after`` (a ``sequence_number``) if
        given, read with ``retrieve(response_id, stream=True)``. Only ``include``,
        ``text_format``, ``tools`` (for parsing) and the per-call options go with it.
        """
        from ._response_stream import ResponseStreamManager

        if "stream" in params:
            raise InvalidParameterError(
                "stream", "stream() always streams: leave stream out, or use create(stream=True)"
            )
        client = self._client
        if response_id is None and starting_after is None:
            body, options, reader = _parse_request(text_format, params, stream=True)

            async def send() -> AsyncStream[ResponseStreamEvent]:
                return await client.call(RESPONSES.stream(body, options))

            return ResponseStreamManager(send, reader)
        if response_id is None:
            raise InvalidParameterError(
                "starting_after", "resumes a stored response's events: give its response_id too"
            )
        path_param("response_id", response_id)
        check_range("starting_after", starting_after, 0)
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        made = sorted(set(given) - {"include", "tools"})
        if made:
            raise InvalidParameterError(
                "response_id",
                f"streams a response made already: {', '.join(made)} cannot be given with "
                "it (only include, text_format, tools and the per-call options can)",
            )
        check_types(given, ResponseCreateParams)
        content: Parser | None = None
        if text_format is not None:
            _, content = format_for(text_format)
        _, tool_parsers = parse_tools(given.get("tools"))
        include = given.get("include")
        retrieve = self.retrieve

        async def resume() -> AsyncStream[ResponseStreamEvent]:
            return await retrieve(
                present(response_id),
                stream=True,
                include=include,
                starting_after=starting_after,
                **options,
            )

        return ResponseStreamManager(resume, ParsedReader(content, tool_parsers))

    @overload
    async def retrieve(
        self,
        response_id: str,
        *,
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[ResponseRetrieveParams],
    ) -> Response: ...

    @overload
    async def retrieve(
        self, response_id: str, *, stream: Literal[True], **params: Unpack[ResponseRetrieveParams]
    ) -> AsyncStream[ResponseStreamEvent]: ...

    @overload
    async def retrieve(
        self, response_id: str, *, stream: bool, **params: Unpack[ResponseRetrieveParams]
    ) -> Response | AsyncStream[ResponseStreamEvent]: ...

    async def retrieve(
        self,
        response_id: str,
        *,
        stream: bool | NotGiven = False,
        **params: Unpack[ResponseRetrieveParams],
    ) -> Response | AsyncStream[ResponseStreamEvent]:
        """``GET /responses/{response_id}``: a stored response.

        With ``stream=True``, the events of a background response (again, or from the
        one after ``starting_after``, a ``sequence_number``), until its terminal event.
        """
        path = f"responses/{path_param('response_id', response_id)}"
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ResponseRetrieveParams)
        check_flag("stream", stream)
        query = json_body(**given)
        check_range("starting_after", query.get("starting_after"), 0)
        if "starting_after" in query and not stream:
            raise InvalidParameterError("starting_after", "is only allowed with stream=True")
        if stream:
            query["stream"] = "true"
            request = sse_request(
                "GET",
                path,
                cast("type[ResponseStreamEvent]", ResponseStreamEvent),
                query=_query(query),
                options=options,
                end=RESPONSE_STREAM_END,
            )
            return await self._client.call(request)
        return await self._client.call(
            json_request("GET", path, Response, query=_query(query) or None, options=options)
        )

    async def delete(self, response_id: str, **options: Unpack[RequestOptions]) -> ResponseDeleted:
        """``DELETE /responses/{response_id}``: forget a stored response."""
        path = f"responses/{path_param('response_id', response_id)}"

        def read(response: httpx.Response) -> ResponseDeleted:
            from .._decode import decode

            # The spec documents no body; the service sends {"id", "object", "deleted"}.
            if not response.content.strip():
                return ResponseDeleted(id=response_id)
            return decode(response, ResponseDeleted)

        request = APIRequest(method="DELETE", path=path, read=read, options=options)
        return await self._client.call(request)

    async def cancel(self, response_id: str, **options: Unpack[RequestOptions]) -> Response:
        """``POST /responses/{response_id}/cancel``: stop a background response."""
        path = f"responses/{path_param('response_id', response_id)}/cancel"
        return await self._client.call(json_request("POST", path, Response, options=options))


class InputItems(Resource):
    """``GET /responses/{response_id}/input_items``: what a stored response was given."""

    __slots__ = ()

    def list(
        self, response_id: str, **params: Unpack[ResponseInputItemListParams]
    ) -> AsyncPaginator[ResponseOutputItem]:
        """The input items of a stored response: await for a page, ``async for`` for all.

        ``limit`` (1 to 100) is the size of a page, ``order`` ``asc`` or ``desc``
        (the default), ``after`` the item id to start after.
        """
        path = f"responses/{path_param('response_id', response_id)}/input_items"
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, ResponseInputItemListParams)
        query = json_body(**given)
        check_range("limit", query.get("limit"), 1, 100)
        check_choice("order", query.get("order"), ("asc", "desc"))
        after = query.get("after")
        if after is not None and (not isinstance(after, str) or not after):
            raise InvalidParameterError("after", f"expected an item id, got {shown(after)}")
        return AsyncPaginator(
            self._client,
            path,
            ListResponse[ResponseOutputItem],
            params=_query(query),
            cursor=True,
            options=options,
        )


def _query(query: Mapping[str, Any]) -> dict[str, Any]:
    """Query values as the spec writes them: booleans as ``true``, a list as repeated names."""
    result: dict[str, Any] = {}
    for name, value in query.items():
        if isinstance(value, bool):
            result[name] = "true" if value else "false"
        elif isinstance(value, Sequence) and not isinstance(value, str):
            if not all(isinstance(v, str) for v in value):
                raise InvalidParameterError(name, "expected a list of strings")
            result[name] = list(value)
        else:
            result[name] = value
    return result
