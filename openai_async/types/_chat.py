"""Models of ``POST /chat/completions``: the answer, its streamed chunks, parsed answers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

from .._models import APIObject
from ._completion import CompletionUsage

__all__ = [
    "Annotation",
    "ChatCompletion",
    "ChatCompletionAudio",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionMessage",
    "ChatCompletionMessageToolCall",
    "ChatCompletionTokenLogprob",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceLogprobs",
    "Function",
    "FunctionCall",
    "ParsedChatCompletion",
    "ParsedChatCompletionMessage",
    "ParsedChoice",
    "ParsedFunction",
    "ParsedFunctionToolCall",
    "TopLogprob",
    "URLCitation",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True, slots=False)
class FunctionCall(APIObject):
    """The function the model wants called, with its arguments as JSON text.

    In a streamed delta either part may be missing: the name comes first, the
    arguments arrive in pieces to be concatenated.
    """

    name: str | None = None
    arguments: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class Function(APIObject):
    """The function a tool call names, with its arguments as JSON text."""

    name: str = ""
    arguments: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionMessageToolCall(APIObject):
    """One tool call of a message; answer it with a ``tool`` message of the same ``id``."""

    id: str = ""
    type: str = "function"
    function: Function = attrs.field(factory=Function)


@attrs.frozen(kw_only=True, slots=False)
class URLCitation(APIObject):
    """Where a web-search answer got a passage from (``start_index``..``end_index``)."""

    url: str = ""
    title: str = ""
    start_index: int = 0
    end_index: int = 0


@attrs.frozen(kw_only=True, slots=False)
class Annotation(APIObject):
    """A note on the message's text; today only ``type == "url_citation"``."""

    type: str = "url_citation"
    url_citation: URLCitation | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionAudio(APIObject):
    """Spoken output (``modalities=["text", "audio"]``): base64 ``data`` and its transcript."""

    id: str = ""
    data: str = ""
    expires_at: int = 0
    transcript: str = ""


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionMessage(APIObject):
    """A message the model wrote; ``content`` is None when it calls tools or refuses."""

    role: str = "assistant"
    content: str | None = None
    refusal: str | None = None
    name: str | None = None
    tool_calls: list[ChatCompletionMessageToolCall] | None = None
    function_call: FunctionCall | None = None
    annotations: list[Annotation] | None = None
    audio: ChatCompletionAudio | None = None


@attrs.frozen(kw_only=True, slots=False)
class TopLogprob(APIObject):
    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionTokenLogprob(APIObject):
    """One output token's log probability, and the most likely alternatives."""

    token: str = ""
    logprob: float = 0.0
    bytes: list[int] | None = None
    top_logprobs: list[TopLogprob] = attrs.field(factory=list)


@attrs.frozen(kw_only=True, slots=False)
class ChoiceLogprobs(APIObject):
    """``logprobs=True``: per token of the content (or of the refusal)."""

    content: list[ChatCompletionTokenLogprob] | None = None
    refusal: list[ChatCompletionTokenLogprob] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionChoice(APIObject):
    """One of the ``n`` answers; ``finish_reason`` is stop, length, tool_calls, ..."""

    index: int = 0
    # The 2023 schema requires nothing of a choice, so a choice may come without one.
    message: ChatCompletionMessage = attrs.field(factory=ChatCompletionMessage)
    finish_reason: str | None = None
    logprobs: ChoiceLogprobs | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletion(APIObject):
    """The answer to ``POST /chat/completions`` (``object == "chat.completion"``)."""

    id: str
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[ChatCompletionChoice] = attrs.field(factory=list)
    usage: CompletionUsage | None = None
    service_tier: str | None = None
    system_fingerprint: str | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChoiceDeltaToolCall(APIObject):
    """A piece of a tool call in a chunk: ``index`` says which call it belongs to.

    The id, type and name come with a call's first piece; ``function.arguments``
    arrives in fragments to be joined.
    """

    index: int = 0
    id: str | None = None
    type: str | None = None
    function: FunctionCall | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChoiceDelta(APIObject):
    """What one streamed chunk adds to a choice's message; every part is optional."""

    role: str | None = None
    content: str | None = None
    refusal: str | None = None
    function_call: FunctionCall | None = None
    tool_calls: list[ChoiceDeltaToolCall] | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionChunkChoice(APIObject):
    """A choice's delta in a chunk; ``finish_reason`` is set on its last chunk."""

    index: int = 0
    delta: ChoiceDelta = attrs.field(factory=ChoiceDelta)
    finish_reason: str | None = None
    logprobs: ChoiceLogprobs | None = None


@attrs.frozen(kw_only=True, slots=False)
class ChatCompletionChunk(APIObject):
    """One streamed event of a chat completion (``object == "chat.completion.chunk"``).

    With ``stream_options={"include_usage": True}`` the last chunk before ``[DONE]``
    has no choices and carries the ``usage`` of the whole request.
    """

    id: str
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChatCompletionChunkChoice] = attrs.field(factory=list)
    usage: CompletionUsage | None = None
    service_tier: str | None = None
    system_fingerprint: str | None = None


# What ``chat.completions.parse`` returns: the same objects, with what was parsed.
# ``parsed`` and ``parsed_arguments`` are not JSON fields: the client sets them.


@attrs.frozen(kw_only=True, slots=False)
class ParsedFunction(Function):
    """A tool call's function, with its arguments parsed (a model instance, or JSON)."""

    parsed_arguments: Any = attrs.field(default=None, init=False)


@attrs.frozen(kw_only=True, slots=False)
class ParsedFunctionToolCall(ChatCompletionMessageToolCall):
    function: ParsedFunction = attrs.field(factory=ParsedFunction)


@attrs.frozen(kw_only=True, slots=False)
class ParsedChatCompletionMessage(ChatCompletionMessage, Generic[T]):
    """The message, with ``parsed``: the answer as the requested type, None on refusal."""

    parsed: T | None = attrs.field(default=None, init=False)
    tool_calls: list[ParsedFunctionToolCall] | None = None  # type: ignore[assignment]


@attrs.frozen(kw_only=True, slots=False)
class ParsedChoice(ChatCompletionChoice, Generic[T]):
    message: ParsedChatCompletionMessage[T] = attrs.field(factory=ParsedChatCompletionMessage)


@attrs.frozen(kw_only=True, slots=False)
class ParsedChatCompletion(ChatCompletion, Generic[T]):
    """What ``chat.completions.parse`` returns: ``choices[i].message.parsed``."""

    choices: list[ParsedChoice[T]] = attrs.field(factory=list)  # type: ignore[assignment]
