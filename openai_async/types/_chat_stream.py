"""The events of ``chat.completions.stream()``: what changed with each chunk, and what ended.

Named and shaped as the official SDK's (``event.type`` tells them apart). They are
made by the client from the chunks, not sent by the server: plain frozen classes.
What grows with the answer (``ChunkEvent.snapshot``, a logprobs event's ``snapshot``)
is built when first read, as it was at that event: a stream costs the same per chunk
however long its answer, and reading every snapshot costs what building them did.
"""

from __future__ import annotations

from collections.abc import Callable
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
    "LogprobsRefusalDeltaEvent",
    "LogprobsRefusalDoneEvent",
    "RefusalDeltaEvent",
    "RefusalDoneEvent",
]

T = TypeVar("T")
V = TypeVar("V")


class Later(Generic[V]):
    """A value made when first read (then kept): what an event carries unbuilt.

    ``make`` must give the same value whenever it is called: the value as of the event.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], V]) -> None:
        self._make: Callable[[], V] | None = make
        self._value: V | None = None

    def get(self) -> V:
        if self._make is not None:
            self._value = self._make()
            self._make = None  # and what it held, for the collector
        return self._value  # type: ignore[return-value]  # made above: V, maybe None


def _read(value: V | Later[V]) -> V:
    return value.get() if isinstance(value, Later) else value


def _same(one: object, other: object) -> bool:
    return bool(_read(one) == _read(other))


def _shown(value: object) -> str:
    return repr(_read(value))


# A field given a value or a ``Later`` is compared and shown as its value.
_AS_VALUE: Any = attrs.cmp_using(eq=_same, require_same_type=False)

_Logprobs = list[ChatCompletionTokenLogprob]


@attrs.frozen(kw_only=True)
class ChunkEvent:
    """Every chunk, as it came, and the completion that the chunks so far add up to."""

    type: Literal["chunk"] = "chunk"
    chunk: ChatCompletionChunk
    _snapshot: ChatCompletion | Later[ChatCompletion] = attrs.field(
        alias="snapshot", eq=_AS_VALUE, repr=_shown
    )

    @property
    def snapshot(self) -> ChatCompletion:
        """The completion the chunks up to this one add up to (built when first read)."""
        return _read(self._snapshot)


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
    _snapshot: _Logprobs | Later[_Logprobs] = attrs.field(
        alias="snapshot", eq=_AS_VALUE, repr=_shown
    )

    @property
    def snapshot(self) -> list[ChatCompletionTokenLogprob]:
        """The log probabilities up to this event's (built when first read)."""
        return _read(self._snapshot)


@attrs.frozen(kw_only=True)
class LogprobsContentDoneEvent:
    """The log probabilities of every token of the answer."""

    type: Literal["logprobs.content.done"] = "logprobs.content.done"
    content: list[ChatCompletionTokenLogprob]


@attrs.frozen(kw_only=True)
class LogprobsRefusalDeltaEvent:
    """The log probabilities of the refusal's new tokens, and of all of them so far."""

    type: Literal["logprobs.refusal.delta"] = "logprobs.refusal.delta"
    refusal: list[ChatCompletionTokenLogprob]
    _snapshot: _Logprobs | Later[_Logprobs] = attrs.field(
        alias="snapshot", eq=_AS_VALUE, repr=_shown
    )

    @property
    def snapshot(self) -> list[ChatCompletionTokenLogprob]:
        """The log probabilities up to this event's (built when first read)."""
        return _read(self._snapshot)


@attrs.frozen(kw_only=True)
class LogprobsRefusalDoneEvent:
    """The log probabilities of every token of the refusal."""

    type: Literal["logprobs.refusal.done"] = "logprobs.refusal.done"
    refusal: list[ChatCompletionTokenLogprob]


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
    | LogprobsRefusalDeltaEvent
    | LogprobsRefusalDoneEvent
)
"""What ``async for event in stream`` gives; ``event.type`` says which."""
