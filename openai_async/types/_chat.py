"""Models of ``POST /chat/completions``: the answer and its streamed chunks."""

from __future__ import annotations

import attrs

from .._models import APIObject
from ._completion import CompletionUsage

__all__ = [
    "ChatCompletion",
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "ChatCompletionMessage",
    "ChoiceDelta",
    "FunctionCall",
]


@attrs.frozen(kw_only=True)
class FunctionCall(APIObject):
    """The function the model wants called, with its arguments as JSON text.

    In a streamed delta either part may be missing: the name comes first, the
    arguments arrive in pieces to be concatenated.
    """

    name: str | None = None
    arguments: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionMessage(APIObject):
    """A message the model wrote; ``content`` is None when it calls a function."""

    role: str = "assistant"
    content: str | None = None
    name: str | None = None
    function_call: FunctionCall | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChoice(APIObject):
    """One of the ``n`` answers; ``finish_reason`` is stop, length or function_call."""

    index: int = 0
    # The 2023 schema requires nothing of a choice, so a choice may come without one.
    message: ChatCompletionMessage = attrs.field(factory=ChatCompletionMessage)
    finish_reason: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletion(APIObject):
    """The answer to ``POST /chat/completions`` (``object == "chat.completion"``)."""

    id: str
    object: str = "chat.completion"
    created: int = 0
    model: str = ""
    choices: list[ChatCompletionChoice] = attrs.field(factory=list)
    usage: CompletionUsage | None = None


@attrs.frozen(kw_only=True)
class ChoiceDelta(APIObject):
    """What one streamed chunk adds to a choice's message; every part is optional."""

    role: str | None = None
    content: str | None = None
    function_call: FunctionCall | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChunkChoice(APIObject):
    """A choice's delta in a chunk; ``finish_reason`` is set on its last chunk."""

    index: int = 0
    delta: ChoiceDelta = attrs.field(factory=ChoiceDelta)
    finish_reason: str | None = None


@attrs.frozen(kw_only=True)
class ChatCompletionChunk(APIObject):
    """One streamed event of a chat completion (``object == "chat.completion.chunk"``)."""

    id: str
    object: str = "chat.completion.chunk"
    created: int = 0
    model: str = ""
    choices: list[ChatCompletionChunkChoice] = attrs.field(factory=list)
    usage: CompletionUsage | None = None
