"""``chat.completions.stream()``: a streamed chat completion as events, and the whole at the end.

The official SDK's streaming helper: ``async with client.chat.completions.stream(...)
as stream`` sends the request; ``async for event in stream`` gives, for each chunk, a
``ChunkEvent`` and then what the chunk changed (``content.delta``, ``refusal.delta``,
``tool_calls.function.arguments.delta``, ``logprobs.content.delta``,
``logprobs.refusal.delta``) and what it ended (the ``.done`` events, with the answer
or the arguments parsed as ``parse`` would); ``await stream.get_final_completion()``
gives the ``ParsedChatCompletion``. The chunks come from an ``AsyncStream``, whose
errors (a cut-off stream among them) pass through unchanged.

Each chunk costs the same however long the answer already is: the texts the events
carry are kept joined as they grow, and a snapshot of the whole completion is built
only when read.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs
import httpx

from .._accumulate import ChatCompletionAccumulator
from .._exceptions import finish_reason_error
from ..types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionStreamEvent,
    ChatCompletionTokenLogprob,
    ChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent,
    Function,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
    LogprobsContentDeltaEvent,
    LogprobsContentDoneEvent,
    ParsedChatCompletion,
    RefusalDeltaEvent,
    RefusalDoneEvent,
)
from ..types._chat_stream import Later, LogprobsRefusalDeltaEvent, LogprobsRefusalDoneEvent
from ._stream_manager import StreamManager

if TYPE_CHECKING:
    from .._streaming import AsyncStream
    from .._structured import ParseSpec

__all__ = ["ChatCompletionStream", "ChatCompletionStreamManager"]

T = TypeVar("T")
V = TypeVar("V")


@attrs.define
class _ToolCall:
    """A tool call's name and arguments so far."""

    name: str = ""
    arguments: str = ""


@attrs.define
class _Choice:
    """One choice as its chunks so far made it, and which parts had their ``.done`` event.

    The events' texts come from here, kept joined as they grow; the whole completion
    is built only when read (``ChunkEvent.snapshot``, ``current_completion_snapshot``).
    """

    content: str | None = None
    refusal: str | None = None
    logprobs: list[ChatCompletionTokenLogprob] | None = None
    refusal_logprobs: list[ChatCompletionTokenLogprob] | None = None
    finish_reason: str | None = None
    tool_calls: dict[int, _ToolCall] = attrs.field(factory=dict)
    current_tool: int | None = None  # the tool call whose arguments are streaming
    content_done: bool = False
    refusal_done: bool = False
    logprobs_done: bool = False
    refusal_logprobs_done: bool = False
    tools_done: set[int] = attrs.field(factory=set)

    def add(self, choice: ChatCompletionChunkChoice) -> None:
        """Take in the choice's part of a chunk, as ``ChatCompletionAccumulator`` does."""
        delta = choice.delta
        if delta.content is not None:
            self.content = delta.content if self.content is None else self.content + delta.content
        if delta.refusal is not None:
            self.refusal = delta.refusal if self.refusal is None else self.refusal + delta.refusal
        for piece in delta.tool_calls or ():
            call = self.tool_calls.setdefault(piece.index, _ToolCall())
            if piece.function is not None:
                if piece.function.name:
                    call.name += piece.function.name
                if piece.function.arguments:
                    call.arguments += piece.function.arguments
        if choice.logprobs is not None:
            # One list each, grown in place: the delta events' snapshots are its prefixes.
            if choice.logprobs.content is not None:
                if self.logprobs is None:
                    self.logprobs = []
                self.logprobs.extend(choice.logprobs.content)
            if choice.logprobs.refusal is not None:
                if self.refusal_logprobs is None:
                    self.refusal_logprobs = []
                self.refusal_logprobs.extend(choice.logprobs.refusal)
        if choice.finish_reason is not None:
            self.finish_reason = choice.finish_reason


def _first(entries: list[V], count: int) -> Later[list[V]]:
    # The list as it is now, copied only if read: it grows in place.
    return Later(lambda: entries[:count])


class ChatCompletionStream(Generic[T]):
    """The events of one streamed chat completion; see the module's docstring.

    Use it inside the ``async with`` of ``chat.completions.stream()``, which closes it.
    ``current_completion_snapshot`` is the completion the chunks so far add up to.
    """

    def __init__(self, chunks: AsyncStream[ChatCompletionChunk], spec: ParseSpec) -> None:
        self._chunks = chunks
        self._spec = spec
        self._accumulator = ChatCompletionAccumulator()
        self._snapshot = Later(self._accumulator.result)
        self._choices: dict[int, _Choice] = {}
        self._pending: deque[ChatCompletionStreamEvent[T]] = deque()
        self._finished = False

    def __repr__(self) -> str:
        return f"<ChatCompletionStream of {self._chunks!r}>"

    @property
    def response(self) -> httpx.Response:
        """The HTTP response the chunks are read from."""
        return self._chunks.response

    @property
    def current_completion_snapshot(self) -> ChatCompletion:
        """The completion the chunks read so far add up to (the last ``ChunkEvent``'s)."""
        return self._snapshot.get()

    def __aiter__(self) -> ChatCompletionStream[T]:
        return self

    async def __anext__(self) -> ChatCompletionStreamEvent[T]:
        while not self._pending:
            if self._finished:
                raise StopAsyncIteration
            try:
                chunk = await self._chunks.__anext__()
            except StopAsyncIteration:
                self._finished = True
                raise
            self._pending.extend(self._events(chunk))
        return self._pending.popleft()

    async def until_done(self) -> ChatCompletionStream[T]:
        """Read the stream to its end, events unseen."""
        async for _ in self:
            pass
        return self

    async def get_final_completion(self) -> ParsedChatCompletion[T]:
        """The whole completion, read to the end first, parsed as ``parse`` parses.

        A stream closed before its end raises ``StreamTruncatedError`` here: a partial
        answer does not pass for the whole.
        """
        await self.until_done()
        completion: ParsedChatCompletion[T] = self._spec.parsed(
            self.response, self.current_completion_snapshot.to_dict()
        )
        return completion

    async def aclose(self) -> None:
        """Stop reading and release the connection; safe to call more than once."""
        await self._chunks.aclose()

    close = aclose  # the official SDK's name

    def _events(self, chunk: ChatCompletionChunk) -> list[ChatCompletionStreamEvent[T]]:
        """The events of one chunk: work in proportion to the chunk, not to the answer."""
        self._accumulator.add(chunk)
        self._snapshot = Later(self._accumulator.result_later())
        events: list[ChatCompletionStreamEvent[T]] = [
            ChunkEvent(chunk=chunk, snapshot=self._snapshot)
        ]
        # The whole chunk first, as the events show the choice after it.
        for choice in chunk.choices:
            self._choices.setdefault(choice.index, _Choice()).add(choice)
        for choice in chunk.choices:
            # The SDK raises here, before this chunk's events (only these reasons raise).
            if self._spec.parseable and choice.finish_reason in ("length", "content_filter"):
                error = finish_reason_error(
                    choice.finish_reason, self.current_completion_snapshot, self.response, None
                )
                if error is not None:
                    raise error
            state = self._choices[choice.index]
            delta = choice.delta
            if delta.content is not None and state.content is not None:
                events.append(ContentDeltaEvent(delta=delta.content, snapshot=state.content))
            if delta.refusal is not None and state.refusal is not None:
                events.append(RefusalDeltaEvent(delta=delta.refusal, snapshot=state.refusal))
            for piece in delta.tool_calls or ():
                call = state.tool_calls[piece.index]
                fragment = piece.function.arguments if piece.function is not None else None
                events.append(
                    FunctionToolCallArgumentsDeltaEvent(
                        name=call.name,
                        index=piece.index,
                        arguments=call.arguments,
                        arguments_delta=fragment or "",
                    )
                )
            logprobs = choice.logprobs
            if logprobs is not None and logprobs.content and state.logprobs is not None:
                snapshot = _first(state.logprobs, len(state.logprobs))
                events.append(
                    LogprobsContentDeltaEvent(content=logprobs.content, snapshot=snapshot)
                )
            if logprobs is not None and logprobs.refusal and state.refusal_logprobs is not None:
                snapshot = _first(state.refusal_logprobs, len(state.refusal_logprobs))
                events.append(
                    LogprobsRefusalDeltaEvent(refusal=logprobs.refusal, snapshot=snapshot)
                )
            events.extend(self._ended(state, choice))
        return events

    def _ended(
        self, state: _Choice, choice: ChatCompletionChunkChoice
    ) -> list[ChatCompletionStreamEvent[T]]:
        """The ``.done`` events of what this chunk of the choice ended.

        The content ends when the choice finishes or its tool calls begin; a tool
        call's arguments when the next call begins or the choice finishes.
        """
        events: list[ChatCompletionStreamEvent[T]] = []
        for piece in choice.delta.tool_calls or ():
            if piece.index != state.current_tool:
                events.extend(self._content_ended(state))
                if state.current_tool is not None:
                    events.extend(self._tool_ended(state, state.current_tool))
                state.current_tool = piece.index
        if state.finish_reason is not None:
            events.extend(self._content_ended(state))
            if state.current_tool is not None:
                events.extend(self._tool_ended(state, state.current_tool))
        return events

    def _content_ended(self, state: _Choice) -> list[ChatCompletionStreamEvent[T]]:
        events: list[ChatCompletionStreamEvent[T]] = []
        if state.content and not state.refusal and not state.content_done:
            state.content_done = True
            parsed = self._spec.parse_content(state.content, self.response, state.finish_reason)
            events.append(ContentDoneEvent(content=state.content, parsed=parsed))
        if state.refusal is not None and not state.refusal_done:
            state.refusal_done = True
            events.append(RefusalDoneEvent(refusal=state.refusal))
        if state.logprobs is not None and not state.logprobs_done:
            state.logprobs_done = True
            events.append(LogprobsContentDoneEvent(content=list(state.logprobs)))
        if state.refusal_logprobs is not None and not state.refusal_logprobs_done:
            state.refusal_logprobs_done = True
            events.append(LogprobsRefusalDoneEvent(refusal=list(state.refusal_logprobs)))
        return events

    def _tool_ended(self, state: _Choice, index: int) -> list[ChatCompletionStreamEvent[T]]:
        if index in state.tools_done:
            return []
        state.tools_done.add(index)
        call = state.tool_calls[index]
        function = Function(name=call.name, arguments=call.arguments)
        parsed = self._spec.parse_arguments(function, self.response)
        return [
            FunctionToolCallArgumentsDoneEvent(
                name=call.name,
                index=index,
                arguments=call.arguments,
                parsed_arguments=parsed,
            )
        ]


class ChatCompletionStreamManager(StreamManager[ChatCompletionStream[T]]):
    """What ``chat.completions.stream()`` returns: ``async with`` it for the stream."""

    def __init__(
        self, send: Callable[[], Awaitable[AsyncStream[ChatCompletionChunk]]], spec: ParseSpec
    ) -> None:
        async def open_stream() -> ChatCompletionStream[T]:
            return ChatCompletionStream(await send(), spec)

        super().__init__(open_stream)
