"""What a chat UI needs from a stream: the text as it comes, and the whole at the end.

``text_deltas`` yields only the new text of one choice. The accumulators rebuild
the answer a non-streamed request would have given, from the chunks, choice by
choice (``n > 1``): content, refusal, role, finish reason, logprobs, tool calls
(argument fragments joined per call ``index``, several calls in parallel), the 2023
function call, and the usage of an ``include_usage`` stream's last chunk::

    accumulator = ChatCompletionAccumulator()
    async with stream:
        async for chunk in stream:
            accumulator.add(chunk)
            print(chunk.choices[0].delta.content or "", end="")
    reply = accumulator.result()   # a ChatCompletion
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import AsyncIterable, AsyncIterator, Callable, Sequence
from typing import Generic, TypeVar

import attrs

from .types import (
    ChatCompletion,
    ChatCompletionChoice,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionMessageToolCall,
    ChatCompletionTokenLogprob,
    ChoiceLogprobs,
    Completion,
    CompletionChoice,
    CompletionUsage,
    Function,
    FunctionCall,
    Logprobs,
)

__all__ = [
    "ChatCompletionAccumulator",
    "CompletionAccumulator",
    "accumulate_chat",
    "accumulate_completion",
    "text_deltas",
]


async def text_deltas(
    stream: AsyncIterable[ChatCompletionChunk] | AsyncIterable[Completion], *, index: int = 0
) -> AsyncIterator[str]:
    """The non-empty text pieces of choice ``index``, in order, skipping everything else.

    Works on chat chunks (``delta.content``) and on completion chunks (``text``).
    The caller keeps owning the stream: use it inside ``async with stream``.
    """
    async for chunk in stream:
        for choice in chunk.choices:
            if choice.index != index:
                continue
            text = choice.text if isinstance(choice, CompletionChoice) else choice.delta.content
            if text:
                yield text


V = TypeVar("V")


@attrs.define
class _Pieces(Generic[V]):
    """What one field received, piece by piece, readable as it was after any chunk.

    ``chunks`` holds the number of the chunk each piece came in (never decreasing), so
    that the field as of an earlier chunk is the pieces up to it: a snapshot taken then
    is built only when read, and adding a piece costs the same however many came before.
    ``started`` is the chunk of the first ``add`` (which may bring no piece: logprobs
    ``[]``); None until then, as content ``""`` and content never sent differ.
    """

    pieces: list[V] = attrs.field(factory=list)
    chunks: list[int] = attrs.field(factory=list)
    started: int | None = None

    def add(self, chunk: int, pieces: Sequence[V]) -> None:
        if self.started is None:
            self.started = chunk
        self.pieces.extend(pieces)
        self.chunks.extend(itertools.repeat(chunk, len(pieces)))

    def upto(self, chunk: int | None) -> list[V] | None:
        """A new list of the pieces as of ``chunk`` (all of them with None)."""
        if self.started is None or (chunk is not None and self.started > chunk):
            return None
        if chunk is None:
            return list(self.pieces)
        return self.pieces[: bisect.bisect_right(self.chunks, chunk)]


def _text(field: _Pieces[str], chunk: int | None) -> str | None:
    """A text field's pieces joined, as of ``chunk``; None if none had come by then."""
    pieces = field.upto(chunk)
    return None if pieces is None else "".join(pieces)


@attrs.define
class _Latest(Generic[V]):
    """A value each chunk may replace, readable as it was after any chunk."""

    values: list[V] = attrs.field(factory=list)
    chunks: list[int] = attrs.field(factory=list)

    def set(self, chunk: int, value: V) -> None:
        if self.values and self.values[-1] == value:
            return  # the same again (a role sent in every chunk): nothing to remember
        self.values.append(value)
        self.chunks.append(chunk)

    def at(self, chunk: int | None) -> V | None:
        """The value as of ``chunk`` (the last one with None); None if none was set."""
        count = len(self.values) if chunk is None else bisect.bisect_right(self.chunks, chunk)
        return self.values[count - 1] if count else None


@attrs.define
class _ToolCallState:
    first: int  # the chunk it came in
    id: _Latest[str] = attrs.field(factory=_Latest)
    type: _Latest[str] = attrs.field(factory=_Latest)
    name: _Pieces[str] = attrs.field(factory=_Pieces)
    arguments: _Pieces[str] = attrs.field(factory=_Pieces)


@attrs.define
class _ChatChoiceState:
    first: int  # the chunk it came in
    role: _Latest[str] = attrs.field(factory=_Latest)
    content: _Pieces[str] = attrs.field(factory=_Pieces)
    refusal: _Pieces[str] = attrs.field(factory=_Pieces)
    function_name: _Pieces[str] = attrs.field(factory=_Pieces)
    arguments: _Pieces[str] = attrs.field(factory=_Pieces)
    tool_calls: dict[int, _ToolCallState] = attrs.field(factory=dict)
    logprobs: _Pieces[ChatCompletionTokenLogprob] = attrs.field(factory=_Pieces)
    refusal_logprobs: _Pieces[ChatCompletionTokenLogprob] = attrs.field(factory=_Pieces)
    finish_reason: _Latest[str] = attrs.field(factory=_Latest)


@attrs.define
class ChatCompletionAccumulator:
    """Fold ``ChatCompletionChunk`` objects into the ``ChatCompletion`` they add up to.

    Adding a chunk costs the same however long the answer already is: the pieces are
    kept, and joined only by ``result()`` (or by a function of ``result_later()``).
    """

    _id: str | None = None
    _created: int = 0
    _model: str = ""
    _usage: _Latest[CompletionUsage] = attrs.field(factory=_Latest)
    _system_fingerprint: _Latest[str] = attrs.field(factory=_Latest)
    _service_tier: _Latest[str] = attrs.field(factory=_Latest)
    _choices: dict[int, _ChatChoiceState] = attrs.field(factory=dict)
    _added: int = 0  # the chunks taken in; the next one's number

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Take in one chunk; returns it, so that ``add`` can sit inside a loop header.

        The usage-only last chunk of an ``include_usage`` stream has no choices: its
        usage is kept.
        """
        number = self._added
        self._added += 1
        if self._id is None:
            self._id, self._created, self._model = chunk.id, chunk.created, chunk.model
        if chunk.usage is not None:
            self._usage.set(number, chunk.usage)
        if chunk.system_fingerprint is not None:
            self._system_fingerprint.set(number, chunk.system_fingerprint)
        if chunk.service_tier is not None:
            self._service_tier.set(number, chunk.service_tier)
        for choice in chunk.choices:
            state = self._choices.get(choice.index)
            if state is None:
                state = self._choices[choice.index] = _ChatChoiceState(first=number)
            delta = choice.delta
            if delta.role is not None:
                state.role.set(number, delta.role)
            if delta.content is not None:
                state.content.add(number, (delta.content,))
            if delta.refusal is not None:
                state.refusal.add(number, (delta.refusal,))
            for piece in delta.tool_calls or ():
                tool = state.tool_calls.get(piece.index)
                if tool is None:
                    tool = state.tool_calls[piece.index] = _ToolCallState(first=number)
                if piece.id:
                    tool.id.set(number, piece.id)
                if piece.type:
                    tool.type.set(number, piece.type)
                if piece.function is not None:
                    if piece.function.name:
                        tool.name.add(number, (piece.function.name,))
                    if piece.function.arguments:
                        tool.arguments.add(number, (piece.function.arguments,))
            if choice.logprobs is not None:
                if choice.logprobs.content is not None:
                    state.logprobs.add(number, choice.logprobs.content)
                if choice.logprobs.refusal is not None:
                    state.refusal_logprobs.add(number, choice.logprobs.refusal)
            call = delta.function_call
            if call is not None:
                # Pieces are concatenated, the name too: some servers stream it in parts.
                if call.name is not None:
                    state.function_name.add(number, (call.name,))
                if call.arguments is not None:
                    state.arguments.add(number, (call.arguments,))
            if choice.finish_reason is not None:
                state.finish_reason.set(number, choice.finish_reason)
        return chunk

    def result(self) -> ChatCompletion:
        """The completion so far (complete once the stream reached ``[DONE]``)."""
        return self._result(None)

    def result_later(self) -> Callable[[], ChatCompletion]:
        """A function that gives the completion as it is now, built only when called.

        Called after more chunks came, it still gives what the chunks up to now add up
        to: a snapshot per chunk, for the cost of building the ones that are read.
        """
        return functools.partial(self._result, self._added - 1)

    def _result(self, upto: int | None) -> ChatCompletion:
        """The completion the chunks up to number ``upto`` add up to (all with None)."""
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            if upto is not None and state.first > upto:
                continue
            call = None
            function_name = _text(state.function_name, upto)
            arguments = _text(state.arguments, upto)
            if function_name is not None or arguments is not None:
                call = FunctionCall(name=function_name or "", arguments=arguments or "")
            tool_calls = [
                ChatCompletionMessageToolCall(
                    id=tool.id.at(upto) or "",
                    type=tool.type.at(upto) or "function",
                    function=Function(
                        name=_text(tool.name, upto) or "",
                        arguments=_text(tool.arguments, upto) or "",
                    ),
                )
                for _, tool in sorted(state.tool_calls.items())
                if upto is None or tool.first <= upto
            ]
            message = ChatCompletionMessage(
                role=state.role.at(upto) or "assistant",
                content=_text(state.content, upto),
                refusal=_text(state.refusal, upto),
                tool_calls=tool_calls or None,
                function_call=call,
            )
            content_logprobs = state.logprobs.upto(upto)
            refusal_logprobs = state.refusal_logprobs.upto(upto)
            logprobs = None
            if content_logprobs is not None or refusal_logprobs is not None:
                logprobs = ChoiceLogprobs(content=content_logprobs, refusal=refusal_logprobs)
            choices.append(
                ChatCompletionChoice(
                    index=index,
                    message=message,
                    finish_reason=state.finish_reason.at(upto),
                    logprobs=logprobs,
                )
            )
        return ChatCompletion(
            id=self._id or "",
            created=self._created,
            model=self._model,
            choices=choices,
            usage=self._usage.at(upto),
            service_tier=self._service_tier.at(upto),
            system_fingerprint=self._system_fingerprint.at(upto),
        )


@attrs.define
class _CompletionChoiceState:
    text: list[str] = attrs.field(factory=list)
    logprobs: list[Logprobs] = attrs.field(factory=list)  # each chunk's, joined by result()
    finish_reason: str | None = None


@attrs.define
class CompletionAccumulator:
    """Fold streamed ``Completion`` chunks into the ``Completion`` they add up to."""

    _id: str | None = None
    _created: int = 0
    _model: str = ""
    _usage: CompletionUsage | None = None
    _choices: dict[int, _CompletionChoiceState] = attrs.field(factory=dict)

    def add(self, chunk: Completion) -> Completion:
        """Take in one chunk; returns it."""
        if self._id is None:
            self._id, self._created, self._model = chunk.id, chunk.created, chunk.model
        if chunk.usage is not None:
            self._usage = chunk.usage
        for choice in chunk.choices:
            state = self._choices.setdefault(choice.index, _CompletionChoiceState())
            state.text.append(choice.text)
            if choice.logprobs is not None:
                state.logprobs.append(choice.logprobs)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
        return chunk

    def result(self) -> Completion:
        """The completion so far (complete once the stream reached ``[DONE]``)."""
        return Completion(
            id=self._id or "",
            created=self._created,
            model=self._model,
            choices=[
                CompletionChoice(
                    text="".join(state.text),
                    index=index,
                    logprobs=_join_logprobs(state.logprobs),
                    finish_reason=state.finish_reason,
                )
                for index, state in sorted(self._choices.items())
            ],
            usage=self._usage,
        )


def _join_logprobs(parts: list[Logprobs]) -> Logprobs | None:
    """The chunks' logprobs as one: their lists concatenated, once (not per chunk)."""
    if len(parts) < 2:
        return parts[0] if parts else None
    top = None
    if any(part.top_logprobs is not None for part in parts):
        top = [entry for part in parts for entry in part.top_logprobs or ()]
    return Logprobs(
        tokens=[token for part in parts for token in part.tokens],
        token_logprobs=[value for part in parts for value in part.token_logprobs],
        top_logprobs=top,
        text_offset=[offset for part in parts for offset in part.text_offset],
    )


async def accumulate_chat(stream: AsyncIterable[ChatCompletionChunk]) -> ChatCompletion:
    """Read ``stream`` to its end and return the ``ChatCompletion`` it adds up to."""
    accumulator = ChatCompletionAccumulator()
    async for chunk in stream:
        accumulator.add(chunk)
    return accumulator.result()


async def accumulate_completion(stream: AsyncIterable[Completion]) -> Completion:
    """Read ``stream`` to its end and return the ``Completion`` it adds up to."""
    accumulator = CompletionAccumulator()
    async for chunk in stream:
        accumulator.add(chunk)
    return accumulator.result()
