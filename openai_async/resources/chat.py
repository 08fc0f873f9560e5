"""``client.chat.completions``: chat completions, whole or streamed, and ``parse``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, TypeVar, Unpack, overload

from .._config import NotGiven
from .._exceptions import InvalidParameterError, shown
from .._messages import ChatMessage
from .._request import RequestOptions, StreamingEndpoint, pop_options
from .._streaming import AsyncStream
from ..types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion
from ._base import Resource, present
from ._checks import check_choice, check_flag, check_range, check_types, json_body
from ._params import (
    LogitBias,
    check_functions,
    check_sampling,
    check_stop,
    check_tools,
    checked_messages,
)

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._chat_stream import ChatCompletionStreamManager

__all__ = [
    "Chat",
    "ChatCompletionCreateParams",
    "ChatCompletionParseParams",
    "ChatCompletions",
]

T = TypeVar("T")

JSONObject = Mapping[str, Any]
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class ChatCompletionParseParams(RequestOptions, total=False):
    """The parameters of ``chat.completions.parse``: ``create``'s but ``response_format``."""

    model: Required[str]
    messages: Required[Sequence[ChatMessage]]
    # Tools, and the 2023 function calling they replace.
    tools: Sequence[JSONObject] | NotGiven | None
    tool_choice: Literal["none", "auto", "required"] | JSONObject | NotGiven | None
    parallel_tool_calls: bool | NotGiven | None
    functions: Sequence[JSONObject] | NotGiven | None
    function_call: Literal["none", "auto"] | JSONObject | NotGiven | None
    # What the answer looks like.
    n: int | NotGiven | None
    stop: str | Sequence[str] | NotGiven | None
    max_tokens: int | NotGiven | None
    max_completion_tokens: int | NotGiven | None
    modalities: Sequence[Literal["text", "audio"]] | NotGiven | None
    audio: JSONObject | NotGiven | None
    prediction: JSONObject | NotGiven | None
    logprobs: bool | NotGiven | None
    top_logprobs: int | NotGiven | None
    stream_options: JSONObject | NotGiven | None
    # Sampling.
    temperature: float | NotGiven | None
    top_p: float | NotGiven | None
    presence_penalty: float | NotGiven | None
    frequency_penalty: float | NotGiven | None
    logit_bias: LogitBias | NotGiven | None
    seed: int | NotGiven | None
    # Reasoning models.
    reasoning_effort: ReasoningEffort | NotGiven | None
    verbosity: Literal["low", "medium", "high"] | NotGiven | None
    # Service options.
    store: bool | NotGiven | None
    metadata: Mapping[str, str] | NotGiven | None
    service_tier: str | NotGiven | None
    web_search_options: JSONObject | NotGiven | None
    moderation: JSONObject | NotGiven | None
    prompt_cache_key: str | NotGiven | None
    prompt_cache_options: JSONObject | NotGiven | None
    prompt_cache_retention: Literal["in_memory", "24h"] | NotGiven | None
    safety_identifier: str | NotGiven | None
    user: str | NotGiven | None


class ChatCompletionCreateParams(ChatCompletionParseParams, total=False):
    """The parameters of ``POST /chat/completions`` (all but ``stream``), declared once.

    Named and typed as the latest API reference has them; None (or leaving one out)
    means "not sent": the server's default applies. Nested objects (tools, response
    formats, audio settings) are plain mappings, as the API documents them.
    """

    response_format: JSONObject | NotGiven | None


CHAT_COMPLETIONS = StreamingEndpoint(
    "POST",
    "chat/completions",
    ChatCompletion,
    ChatCompletionCreateParams,
    chunk=ChatCompletionChunk,
)


def chat_body(params: Mapping[str, Any], *, stream: bool) -> dict[str, Any]:
    """The JSON body of a chat completion, every parameter checked before sending."""
    check_flag("stream", stream)
    body = json_body(**params)
    if "messages" not in body:
        raise InvalidParameterError("messages", "is required")
    if not isinstance(body.get("model"), str):
        raise InvalidParameterError("model", f"expected a string, got {shown(body.get('model'))}")
    body["messages"] = checked_messages(body["messages"])
    check_functions(body.get("functions"))
    check_tools(body.get("tools"))
    check_stop(body.get("stop"))
    check_range("n", body.get("n"), 1, 128)  # the documented bounds
    check_range("max_completion_tokens", body.get("max_completion_tokens"), 0)
    check_range("top_logprobs", body.get("top_logprobs"), 0, 20)
    check_choice("tool_choice", _choice_name(body.get("tool_choice")), ("none", "auto", "required"))
    if body.get("stream_options") is not None and not stream:
        raise InvalidParameterError("stream_options", "is only allowed with stream=True")
    check_sampling(body)
    if stream:
        body["stream"] = True
    return body


def _choice_name(tool_choice: object) -> object:
    # A tool_choice object names one tool; only the string form is an enum.
    return tool_choice if isinstance(tool_choice, str) else None


class ChatCompletions(Resource):
    """``POST /chat/completions``: ``create`` (whole or streamed) and ``parse``."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        stream: Literal[False] | NotGiven = False,
        **params: Unpack[ChatCompletionCreateParams],
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **params: Unpack[ChatCompletionCreateParams]
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def create(
        self, *, stream: bool, **params: Unpack[ChatCompletionCreateParams]
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]: ...

    async def create(
        self, *, stream: bool | NotGiven = False, **params: Unpack[ChatCompletionCreateParams]
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        """Answer a conversation; ``stream=True`` gives an ``AsyncStream`` of chunks.

        ``messages`` are mappings (``{"role": "user", "content": ...}``; roles
        ``developer``, ``system``, ``user``, ``assistant``, ``tool`` and the 2023
        ``function``), or messages the model wrote (``reply.choices[0].message``), sent
        as their JSON. ``tools`` (and the 2023 ``functions``) let the model ask for
        calls, answered with ``tool`` messages carrying their ``tool_call_id``.
        The parameters are ``ChatCompletionCreateParams``; the per-call options
        ``extra_headers``, ``extra_query``, ``extra_body`` and ``timeout`` apply too.
        """
        given: dict[str, Any] = dict(params)
        if isinstance(given.get("response_format"), type):
            raise InvalidParameterError(
                "response_format",
                "a class is parsed into by chat.completions.parse(...) or .stream(...), as in "
                "the SDK; create() takes a format mapping ({'type': 'json_schema', ...})",
            )
        options = pop_options(given)
        check_types(given, ChatCompletionCreateParams)
        body = chat_body(given, stream=present(stream))
        if stream:
            return await self._client.call(CHAT_COMPLETIONS.stream(body, options))
        return await self._client.call(CHAT_COMPLETIONS.request(body, options))

    @overload
    async def parse(
        self, *, response_format: type[T], **params: Unpack[ChatCompletionParseParams]
    ) -> ParsedChatCompletion[T]: ...

    @overload
    async def parse(
        self,
        *,
        response_format: JSONObject | NotGiven | None = None,
        **params: Unpack[ChatCompletionParseParams],
    ) -> ParsedChatCompletion[Any]: ...

    async def parse(
        self,
        *,
        response_format: type[Any] | JSONObject | NotGiven | None = None,
        **params: Unpack[ChatCompletionParseParams],
    ) -> ParsedChatCompletion[Any]:
        """A chat completion whose answer is parsed: Structured Outputs, as the SDK has them.

        ``response_format`` is a pydantic model class (its JSON schema is sent, made
        strict as the service requires, and the answer validated into an instance), a
        JSON schema (a dict; the answer comes back as decoded JSON), or a full
        ``{"type": "json_schema", ...}`` format. ``message.parsed`` holds the result,
        or None when the model refused (``message.refusal``). Function tools made with
        ``pydantic_function_tool`` (or strict dict tools) get ``parsed_arguments`` on
        their calls. pydantic is used only through the class you pass.
        """
        from .._structured import ParseSpec

        spec = ParseSpec.build(response_format, params.get("tools"))
        given: dict[str, Any] = dict(params)
        if spec.response_format is not None:
            given["response_format"] = spec.response_format
        options = pop_options(given)
        check_types(given, ChatCompletionParseParams)
        body = chat_body(given, stream=False)
        request = spec.request(CHAT_COMPLETIONS.method, CHAT_COMPLETIONS.path, body, options)
        return await self._client.call(request)

    @overload
    def stream(
        self, *, response_format: type[T], **params: Unpack[ChatCompletionParseParams]
    ) -> ChatCompletionStreamManager[T]: ...

    @overload
    def stream(
        self,
        *,
        response_format: JSONObject | NotGiven | None = None,
        **params: Unpack[ChatCompletionParseParams],
    ) -> ChatCompletionStreamManager[Any]: ...

    def stream(
        self,
        *,
        response_format: type[Any] | JSONObject | NotGiven | None = None,
        **params: Unpack[ChatCompletionParseParams],
    ) -> ChatCompletionStreamManager[Any]:
        """A streamed completion as events, for ``async with``: the SDK's streaming helper.

        ``async with client.chat.completions.stream(...) as stream``, then ``async for
        event in stream`` (``event.type``: ``"chunk"``, ``"content.delta"``,
        ``"content.done"``, ``"refusal.delta"``, ``"tool_calls.function.arguments.done"``
        and the rest of ``ChatCompletionStreamEvent``) and ``await
        stream.get_final_completion()`` for the ``ParsedChatCompletion``. The parameters
        are ``parse``'s, and are checked here, before anything is sent; the request goes
        when the block is entered. ``stream=True`` is implied (and refused if given).
        """
        from .._structured import ParseSpec
        from ._chat_stream import ChatCompletionStreamManager

        if "stream" in params:
            raise InvalidParameterError(
                "stream", "stream() always streams: leave stream out, or use create(stream=True)"
            )
        spec = ParseSpec.build(response_format, params.get("tools"))
        given: dict[str, Any] = dict(params)
        if spec.response_format is not None:
            given["response_format"] = spec.response_format
        options = pop_options(given)
        check_types(given, ChatCompletionParseParams)
        body = chat_body(given, stream=True)
        client = self._client

        async def send() -> AsyncStream[ChatCompletionChunk]:
            return await client.call(CHAT_COMPLETIONS.stream(body, options))

        return ChatCompletionStreamManager(send, spec)


class Chat(Resource):
    """The ``client.chat`` namespace; its one member is ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.completions = ChatCompletions(client)
