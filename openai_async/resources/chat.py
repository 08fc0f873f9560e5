"""``client.chat.completions``: chat completions, whole or streamed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, overload

from .._messages import ChatMessage
from .._streaming import AsyncStream
from ..types import ChatCompletion, ChatCompletionChunk
from ._base import Resource
from ._checks import check_range, json_body
from ._params import LogitBias, check_functions, check_sampling, check_stop, checked_messages

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = ["Chat", "ChatCompletions"]


class ChatCompletions(Resource):
    """``POST /chat/completions``."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Sequence[ChatMessage],
        functions: Sequence[Mapping[str, Any]] | None = ...,
        function_call: str | Mapping[str, str] | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: Literal[False] = ...,
        stop: str | Sequence[str] | None = ...,
        max_tokens: int | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> ChatCompletion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Sequence[ChatMessage],
        functions: Sequence[Mapping[str, Any]] | None = ...,
        function_call: str | Mapping[str, str] | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: Literal[True],
        stop: str | Sequence[str] | None = ...,
        max_tokens: int | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> AsyncStream[ChatCompletionChunk]: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        messages: Sequence[ChatMessage],
        functions: Sequence[Mapping[str, Any]] | None = ...,
        function_call: str | Mapping[str, str] | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: bool,
        stop: str | Sequence[str] | None = ...,
        max_tokens: int | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]: ...

    async def create(
        self,
        *,
        model: str,
        messages: Sequence[ChatMessage],
        functions: Sequence[Mapping[str, Any]] | None = None,
        function_call: str | Mapping[str, str] | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        n: int | None = None,
        stream: bool = False,
        stop: str | Sequence[str] | None = None,
        max_tokens: int | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        logit_bias: LogitBias | None = None,
        user: str | None = None,
    ) -> ChatCompletion | AsyncStream[ChatCompletionChunk]:
        """Answer a conversation; ``stream=True`` gives an ``AsyncStream`` of chunks.

        ``messages`` are ``{"role", "content", "name"?, "function_call"?}`` mappings, or
        messages the model wrote (``reply.choices[0].message``), sent as their JSON.
        ``functions`` (JSON-schema function definitions) and ``function_call``
        (``"none"``, ``"auto"`` or ``{"name": ...}``) let the model ask for a call.
        Arguments left as None are not sent, so the server's defaults apply.
        """
        messages = checked_messages(messages)
        check_functions(functions)
        check_stop(stop)
        check_range("n", n, 1, 128)  # the documented bounds
        body = json_body(
            model=model,
            messages=messages,
            functions=functions,
            function_call=function_call,
            temperature=temperature,
            top_p=top_p,
            n=n,
            stream=True if stream else None,
            stop=stop,
            max_tokens=max_tokens,
            presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty,
            logit_bias=logit_bias,
            user=user,
        )
        check_sampling(body)
        client = self._client
        if stream:
            return await client._stream("POST", "chat/completions", ChatCompletionChunk, json=body)
        return await client._request_model("POST", "chat/completions", ChatCompletion, json=body)


class Chat(Resource):
    """The ``client.chat`` namespace; its one member is ``completions``."""

    __slots__ = ("completions",)

    def __init__(self, client: AsyncClient) -> None:
        super().__init__(client)
        self.completions = ChatCompletions(client)
