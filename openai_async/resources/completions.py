"""``client.completions``: text completions (the pre-chat API), whole or streamed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack, overload

from .._exceptions import InvalidParameterError
from .._streaming import AsyncStream
from ..types import Completion
from ._base import Resource
from ._checks import check_range, json_body
from ._params import LogitBias, check_sampling, check_stop

if TYPE_CHECKING:
    from .._packing import PromptCompletion

__all__ = ["CompletionParams", "Completions"]

Prompt = str | Sequence[str] | Sequence[int] | Sequence[Sequence[int]]
# The documented bounds (2023 API reference).
_MAX_LOGPROBS = 5
_MAX_N = 128
_MAX_BEST_OF = 20


class CompletionParams(TypedDict, total=False):
    """The ``create`` parameters ``create_many`` passes on to every request."""

    suffix: str | None
    max_tokens: int | None
    temperature: float | None
    top_p: float | None
    logprobs: int | None
    echo: bool | None
    stop: str | Sequence[str] | None
    presence_penalty: float | None
    frequency_penalty: float | None
    best_of: int | None
    logit_bias: LogitBias | None
    user: str | None


class Completions(Resource):
    """``POST /completions``."""

    __slots__ = ()

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Prompt | None,
        suffix: str | None = ...,
        max_tokens: int | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: Literal[False] = ...,
        logprobs: int | None = ...,
        echo: bool | None = ...,
        stop: str | Sequence[str] | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        best_of: int | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> Completion: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Prompt | None,
        suffix: str | None = ...,
        max_tokens: int | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: Literal[True],
        logprobs: int | None = ...,
        echo: bool | None = ...,
        stop: str | Sequence[str] | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        best_of: int | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> AsyncStream[Completion]: ...

    @overload
    async def create(
        self,
        *,
        model: str,
        prompt: Prompt | None,
        suffix: str | None = ...,
        max_tokens: int | None = ...,
        temperature: float | None = ...,
        top_p: float | None = ...,
        n: int | None = ...,
        stream: bool,
        logprobs: int | None = ...,
        echo: bool | None = ...,
        stop: str | Sequence[str] | None = ...,
        presence_penalty: float | None = ...,
        frequency_penalty: float | None = ...,
        best_of: int | None = ...,
        logit_bias: LogitBias | None = ...,
        user: str | None = ...,
    ) -> Completion | AsyncStream[Completion]: ...

    async def create(
        self,
        *,
        model: str,
        prompt: Prompt | None,
        suffix: str | None = None,
        max_tokens: int | None = None,
        temperature: float | None = None,
        top_p: float | None = None,
        n: int | None = None,
        stream: bool = False,
        logprobs: int | None = None,
        echo: bool | None = None,
        stop: str | Sequence[str] | None = None,
        presence_penalty: float | None = None,
        frequency_penalty: float | None = None,
        best_of: int | None = None,
        logit_bias: LogitBias | None = None,
        user: str | None = None,
    ) -> Completion | AsyncStream[Completion]:
        """Complete ``prompt``; ``stream=True`` gives an ``AsyncStream`` of ``Completion``.

        ``prompt`` is a string, a list of strings, a list of token ids or a list of
        token-id lists; with several prompts, choice ``index`` is
        ``prompt_position * n + k``. ``prompt=None`` sends ``"prompt": null`` (the
        2023 schema requires the key and allows null; the server then starts a new
        document). ``best_of`` > 1 cannot be streamed.
        """
        check_stop(stop)
        check_range("logprobs", logprobs, 0, _MAX_LOGPROBS)
        check_range("n", n, 1, _MAX_N)
        check_range("best_of", best_of, 0, _MAX_BEST_OF)
        # The reference says best_of "must be greater than n", yet best_of == n == 1 is
        # the default; the service refuses only best_of < n.
        if best_of is not None and best_of < (n or 1):
            raise InvalidParameterError("best_of", f"must be at least n ({n or 1}), got {best_of}")
        if stream and best_of is not None and best_of > 1:
            raise InvalidParameterError("best_of", "results with best_of > 1 cannot be streamed")
        body = json_body(
            model=model,
            prompt=prompt,
            suffix=suffix,
            max_tokens=max_tokens,
            temperature=temperature,
            top_p=top_p,
            n=n,
            stream=True if stream else None,
            logprobs=logprobs,
            echo=echo,
            stop=stop,
            presence_penalty=presence_penalty,
            frequency_penalty=frequency_penalty,
            best_of=best_of,
            logit_bias=logit_bias,
            user=user,
        )
        check_sampling(body)
        body.setdefault("prompt", None)  # required, nullable: left out it would be invalid
        client = self._client
        if stream:
            return await client._stream("POST", "completions", Completion, json=body)
        return await client._request_model("POST", "completions", Completion, json=body)

    async def create_many(
        self,
        prompts: Sequence[str] | Sequence[Sequence[int]],
        *,
        model: str,
        n: int = 1,
        max_concurrency: int = 8,
        **params: Unpack[CompletionParams],
    ) -> list[PromptCompletion]:
        """Complete many prompts, 20 to a request, concurrently; results in input order.

        ``params`` are the other ``create`` parameters (``CompletionParams``).
        Each result holds the ``n`` choices of its prompt, mapped back by
        ``choice.index == position * n + k`` (checked, never assumed: a mismatch raises
        ``PackingError``). Servers that refuse several prompts in one request (such as
        llama.cpp's) are detected once and then sent one prompt per request.
        """
        from .._packing import complete_many

        return await complete_many(
            self,
            prompts,
            model=model,
            n=n,
            max_concurrency=max_concurrency,
            quirks=self._client._quirks,
            params=params,
        )
