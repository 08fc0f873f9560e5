"""``chat.completions.stream()``: a streamed chat completion as events, and the whole at the end.

The official SDK's streaming helper: ``async with client.chat.completions.stream(...)
as stream`` sends the request; ``async for event in stream`` gives, for each chunk, a
``ChunkEvent`` and then what the chunk changed (``content.delta``, ``refusal.delta``,
``tool_calls.function.arguments.delta``, ``logprobs.content.delta``) and what it ended
(the ``.done`` events, with the answer or the arguments parsed as ``parse`` would);
``await stream.get_final_completion()`` gives the ``ParsedChatCompletion``. The
chunks come from an ``AsyncStream``, whose errors (a cut-off stream among them) pass
through unchanged.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs
import httpx

from .._accumulate import ChatCompletionAccumulator
from .._exceptions import finish_reason_error
from ..types import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionChunkChoice,
    ChatCompletionStreamEvent,
    ChunkEvent,
    ContentDeltaEvent,
    ContentDoneEvent,
    FunctionToolCallArgumentsDeltaEvent,
    FunctionToolCallArgumentsDoneEvent,
    LogprobsContentDeltaEvent,
    LogprobsContentDoneEvent,
    ParsedChatCompletion,
    RefusalDeltaEvent,
    RefusalDoneEvent,
)

if TYPE_CHECKING:
    from .._streaming import AsyncStream
    from .._structured import ParseSpec

__all__ = ["ChatCompletionStream", "ChatCompletionStreamManager"]

T = TypeVar("T")


@attrs.define
class _ChoiceEnds:
    """Which parts of one choice have had their ``.done`` event."""

    content: bool = False
    refusal: bool = False
    logprobs: bool = False
    tool_calls: set[int] = attrs.field(factory=set)
    current_tool: int | None = None  # the tool call whose arguments are streaming
    # The tool call indices seen, in order: the snapshot lists the calls so, whatever
    # the indices (a server may skip one).
    tool_indices: list[int] = attrs.field(factory=list)

    def position(self, index: int) -> int:
        """Where the call of ``index`` is in the snapshot's ``tool_calls``."""
        if index not in self.tool_indices:
            bisect.insort(self.tool_indices, index)
        return self.tool_indices.index(index)


class ChatCompletionStream(Generic[T]):
    """The events of one streamed chat completion; see the module's docstring.

    Use it inside the ``async with`` of ``chat.completions.stream()``, which closes it.
    ``current_completion_snapshot`` is the completion the chunks so far add up to.
    """

    def __init__(self, chunks: AsyncStream[ChatCompletionChunk], spec: ParseSpec) -> None:
        self._chunks = chunks
        self._spec = spec
        self._accumulator = ChatCompletionAccumulator()
        self._snapshot: ChatCompletion | None = None
        self._ends: dict[int, _ChoiceEnds] = {}
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
        """The completion the chunks read so far add up to."""
        if self._snapshot is None:
            self._snapshot = self._accumulator.result()
        return self._snapshot

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
        self._accumulator.add(chunk)
        self._snapshot = snapshot = self._accumulator.result()
        events: list[ChatCompletionStreamEvent[T]] = [ChunkEvent(chunk=chunk, snapshot=snapshot)]
        by_index = {choice.index: choice for choice in snapshot.choices}
        for choice in chunk.choices:
            if self._spec.parseable:  # the SDK raises here, before this chunk's events
                error = finish_reason_error(choice.finish_reason, snapshot, self.response, None)
                if error is not None:
                    raise error
            whole = by_index[choice.index]
            ends = self._ends.setdefault(choice.index, _ChoiceEnds())
            message = whole.message
            delta = choice.delta
            if delta.content is not None and message.content is not None:
                events.append(ContentDeltaEvent(delta=delta.content, snapshot=message.content))
            if delta.refusal is not None and message.refusal is not None:
                events.append(RefusalDeltaEvent(delta=delta.refusal, snapshot=message.refusal))
            calls = message.tool_calls or []
            for piece in delta.tool_calls or ():
                position = ends.position(piece.index)
                if position < len(calls):
                    call = calls[position].function
                    fragment = piece.function.arguments if piece.function is not None else None
                    events.append(
                        FunctionToolCallArgumentsDeltaEvent(
                            name=call.name,
                            index=piece.index,
                            arguments=call.arguments,
                            arguments_delta=fragment or "",
                        )
                    )
            if choice.logprobs is not None and choice.logprobs.content and whole.logprobs:
                events.append(
                    LogprobsContentDeltaEvent(
                        content=choice.logprobs.content, snapshot=whole.logprobs.content or []
                    )
                )
            events.extend(self._ended(ends, choice, whole))
        return events

    def _ended(
        self, ends: _ChoiceEnds, choice: ChatCompletionChunkChoice, whole: ChatCompletionChoice
    ) -> list[ChatCompletionStreamEvent[T]]:
        """The ``.done`` events of what this chunk of the choice ended.

        The content ends when the choice finishes or its tool calls begin; a tool
        call's arguments when the next call begins or the choice finishes.
        """
        events: list[ChatCompletionStreamEvent[T]] = []
        for piece in choice.delta.tool_calls or ():
            if piece.index != ends.current_tool:
                events.extend(self._content_ended(ends, whole))
                if ends.current_tool is not None:
                    events.extend(self._tool_ended(ends, whole, ends.current_tool))
                ends.current_tool = piece.index
        if whole.finish_reason is not None:
            events.extend(self._content_ended(ends, whole))
            if ends.current_tool is not None:
                events.extend(self._tool_ended(ends, whole, ends.current_tool))
        return events

    def _content_ended(
        self, ends: _ChoiceEnds, whole: ChatCompletionChoice
    ) -> list[ChatCompletionStreamEvent[T]]:
        message = whole.message
        events: list[ChatCompletionStreamEvent[T]] = []
        if message.content and not message.refusal and not ends.content:
            ends.content = True
            parsed = self._spec.parse_content(message.content, self.response, whole.finish_reason)
            events.append(ContentDoneEvent(content=message.content, parsed=parsed))
        if message.refusal is not None and not ends.refusal:
            ends.refusal = True
            events.append(RefusalDoneEvent(refusal=message.refusal))
        if whole.logprobs is not None and whole.logprobs.content is not None and not ends.logprobs:
            ends.logprobs = True
            events.append(LogprobsContentDoneEvent(content=whole.logprobs.content))
        return events

    def _tool_ended(
        self, ends: _ChoiceEnds, whole: ChatCompletionChoice, index: int
    ) -> list[ChatCompletionStreamEvent[T]]:
        calls = whole.message.tool_calls or []
        position = ends.position(index)
        if index in ends.tool_calls or position >= len(calls):
            return []
        ends.tool_calls.add(index)
        function = calls[position].function
        parsed = self._spec.parse_arguments(function, self.response)
        return [
            FunctionToolCallArgumentsDoneEvent(
                name=function.name,
                index=index,
                arguments=function.arguments,
                parsed_arguments=parsed,
            )
        ]


class ChatCompletionStreamManager(Generic[T]):
    """What ``chat.completions.stream()`` returns: ``async with`` it for the stream.

    Nothing is sent until the block is entered; leaving it closes the stream,
    however the block ends.
    """

    def __init__(
        self,
        send: Callable[[], Awaitable[AsyncStream[ChatCompletionChunk]]],
        spec: ParseSpec,
    ) -> None:
        self._send = send
        self._spec = spec
        self._stream: ChatCompletionStream[T] | None = None

    def __repr__(self) -> str:
        return f"<ChatCompletionStreamManager {'entered' if self._stream else 'not entered'}>"

    async def __aenter__(self) -> ChatCompletionStream[T]:
        self._stream = ChatCompletionStream(await self._send(), self._spec)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.aclose()
