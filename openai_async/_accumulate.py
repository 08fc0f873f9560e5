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

from collections.abc import AsyncIterable, AsyncIterator

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


@attrs.define
class _ToolCallState:
    id: str = ""
    type: str = "function"
    name: list[str] = attrs.field(factory=list)
    arguments: list[str] = attrs.field(factory=list)


@attrs.define
class _ChatChoiceState:
    role: str | None = None
    content: list[str] | None = None
    refusal: list[str] | None = None
    function_name: list[str] | None = None
    arguments: list[str] | None = None
    tool_calls: dict[int, _ToolCallState] = attrs.field(factory=dict)
    logprobs: list[ChatCompletionTokenLogprob] | None = None
    finish_reason: str | None = None


def _append(parts: list[str] | None, piece: str) -> list[str]:
    # None until a first piece arrives: content "" and content never sent differ.
    if parts is None:
        return [piece]
    parts.append(piece)
    return parts


@attrs.define
class ChatCompletionAccumulator:
    """Fold ``ChatCompletionChunk`` objects into the ``ChatCompletion`` they add up to."""

    _id: str | None = None
    _created: int = 0
    _model: str = ""
    _usage: CompletionUsage | None = None
    _system_fingerprint: str | None = None
    _service_tier: str | None = None
    _choices: dict[int, _ChatChoiceState] = attrs.field(factory=dict)

    def add(self, chunk: ChatCompletionChunk) -> ChatCompletionChunk:
        """Take in one chunk; returns it, so that ``add`` can sit inside a loop header.

        The usage-only last chunk of an ``include_usage`` stream has no choices: its
        usage is kept.
        """
        if self._id is None:
            self._id, self._created, self._model = chunk.id, chunk.created, chunk.model
        if chunk.usage is not None:
            self._usage = chunk.usage
        if chunk.system_fingerprint is not None:
            self._system_fingerprint = chunk.system_fingerprint
        if chunk.service_tier is not None:
            self._service_tier = chunk.service_tier
        for choice in chunk.choices:
            state = self._choices.setdefault(choice.index, _ChatChoiceState())
            delta = choice.delta
            if delta.role is not None:
                state.role = delta.role
            if delta.content is not None:
                state.content = _append(state.content, delta.content)
            if delta.refusal is not None:
                state.refusal = _append(state.refusal, delta.refusal)
            for piece in delta.tool_calls or ():
                tool = state.tool_calls.setdefault(piece.index, _ToolCallState())
                if piece.id:
                    tool.id = piece.id
                if piece.type:
                    tool.type = piece.type
                if piece.function is not None:
                    if piece.function.name:
                        tool.name.append(piece.function.name)
                    if piece.function.arguments:
                        tool.arguments.append(piece.function.arguments)
            if choice.logprobs is not None and choice.logprobs.content is not None:
                state.logprobs = [*(state.logprobs or ()), *choice.logprobs.content]
            call = delta.function_call
            if call is not None:
                # Pieces are concatenated, the name too: some servers stream it in parts.
                if call.name is not None:
                    state.function_name = _append(state.function_name, call.name)
                if call.arguments is not None:
                    state.arguments = _append(state.arguments, call.arguments)
            if choice.finish_reason is not None:
                state.finish_reason = choice.finish_reason
        return chunk

    def result(self) -> ChatCompletion:
        """The completion so far (complete once the stream reached ``[DONE]``)."""
        choices = []
        for index in sorted(self._choices):
            state = self._choices[index]
            call = None
            if state.function_name is not None or state.arguments is not None:
                call = FunctionCall(
                    name="".join(state.function_name or ()),
                    arguments="".join(state.arguments or ()),
                )
            tool_calls = [
                ChatCompletionMessageToolCall(
                    id=tool.id,
                    type=tool.type,
                    function=Function(name="".join(tool.name), arguments="".join(tool.arguments)),
                )
                for _, tool in sorted(state.tool_calls.items())
            ]
            message = ChatCompletionMessage(
                role=state.role or "assistant",
                content=None if state.content is None else "".join(state.content),
                refusal=None if state.refusal is None else "".join(state.refusal),
                tool_calls=tool_calls or None,
                function_call=call,
            )
            logprobs = None if state.logprobs is None else ChoiceLogprobs(content=state.logprobs)
            choices.append(
                ChatCompletionChoice(
                    index=index,
                    message=message,
                    finish_reason=state.finish_reason,
                    logprobs=logprobs,
                )
            )
        return ChatCompletion(
            id=self._id or "",
            created=self._created,
            model=self._model,
            choices=choices,
            usage=self._usage,
            service_tier=self._service_tier,
            system_fingerprint=self._system_fingerprint,
        )


@attrs.define
class _CompletionChoiceState:
    text: list[str] = attrs.field(factory=list)
    logprobs: Logprobs | None = None
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
                state.logprobs = _join_logprobs(state.logprobs, choice.logprobs)
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
                    logprobs=state.logprobs,
                    finish_reason=state.finish_reason,
                )
                for index, state in sorted(self._choices.items())
            ],
            usage=self._usage,
        )


def _join_logprobs(first: Logprobs | None, more: Logprobs) -> Logprobs:
    if first is None:
        return more
    top = None
    if first.top_logprobs is not None or more.top_logprobs is not None:
        top = [*(first.top_logprobs or []), *(more.top_logprobs or [])]
    return Logprobs(
        tokens=[*first.tokens, *more.tokens],
        token_logprobs=[*first.token_logprobs, *more.token_logprobs],
        top_logprobs=top,
        text_offset=[*first.text_offset, *more.text_offset],
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
