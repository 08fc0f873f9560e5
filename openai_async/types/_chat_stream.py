"""The events of ``chat.completions.stream()``: what changed with each chunk, and what ended.

Named and shaped as the official SDK's (``event.type`` tells them apart). They are
made by the client from the chunks, not sent by the server: plain frozen classes.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

import attrs

from ._chat import ChatCompletion, ChatCompletionChunk, ChatCompletionTokenLogprob

__all__ = [
    "ChatCompletionStreamEvent",
    "ChunkEvent",
    "ContentDeltaEvent",
    "ContentDoneEvent",
    "FunctionToolCallArgumentsDeltaEvent",
    "FunctionToolCallArgumentsDoneEvent",
    "LogprobsContentDeltaEvent",
    "LogprobsContentDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
]

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class ChunkEvent:
    """Every chunk, as it came, and the completion that the chunks so far add up to."""

    type: Literal["chunk"] = "chunk"
    chunk: ChatCompletionChunk
    snapshot: ChatCompletion


@attrs.frozen(kw_only=True)
class ContentDeltaEvent:
    """New text of the answer: ``delta``, and ``snapshot``, all of it so far.

    ``parsed`` is None here: the answer is parsed once whole (``ContentDoneEvent``).
    """

    type: Literal["content.delta"] = "content.delta"
    delta: str
    snapshot: str
    parsed: Any = None


@attrs.frozen(kw_only=True)
class ContentDoneEvent(Generic[T]):
    """The whole answer of a choice, and ``parsed``: it as the response format asked."""

    type: Literal["content.done"] = "content.done"
    content: str
    parsed: T | None = None


@attrs.frozen(kw_only=True)
class RefusalDeltaEvent:
    """New text of a refusal, and all of it so far."""

    type: Literal["refusal.delta"] = "refusal.delta"
    delta: str
    snapshot: str


@attrs.frozen(kw_only=True)
class RefusalDoneEvent:
    """The whole refusal of a choice."""

    type: Literal["refusal.done"] = "refusal.done"
    refusal: str


@attrs.frozen(kw_only=True)
class FunctionToolCallArgumentsDeltaEvent:
    """A piece of a tool call's arguments (``arguments_delta``) and all of them so far.

    ``parsed_arguments`` is None here: the arguments are parsed once whole.
    """

    type: Literal["tool_calls.function.arguments.delta"] = "tool_calls.function.arguments.delta"
    name: str
    index: int
    arguments: str
    arguments_delta: str
    parsed_arguments: Any = None


@attrs.frozen(kw_only=True)
class FunctionToolCallArgumentsDoneEvent:
    """A tool call's whole arguments, parsed if its tool was strict or made from a model."""

    type: Literal["tool_calls.function.arguments.done"] = "tool_calls.function.arguments.done"
    name: str
    index: int
    arguments: str
    parsed_arguments: Any = None


@attrs.frozen(kw_only=True)
class LogprobsContentDeltaEvent:
    """The log probabilities of the answer's new tokens, and of all of them so far."""

    type: Literal["logprobs.content.delta"] = "logprobs.content.delta"
    content: list[ChatCompletionTokenLogprob]
    snapshot: list[ChatCompletionTokenLogprob]


@attrs.frozen(kw_only=True)
class LogprobsContentDoneEvent:
    """The log probabilities of every token of the answer."""

    type: Literal["logprobs.content.done"] = "logprobs.content.done"
    content: list[ChatCompletionTokenLogprob]


ChatCompletionStreamEvent = (
    ChunkEvent
    | ContentDeltaEvent
    | ContentDoneEvent[T]
    | RefusalDeltaEvent
    | RefusalDoneEvent
    | FunctionToolCallArgumentsDeltaEvent
    | FunctionToolCallArgumentsDoneEvent
    | LogprobsContentDeltaEvent
    | LogprobsContentDoneEvent
)
"""What ``async for event in stream`` gives; ``event.type`` says which."""
