"""``client.completions``: text completions (the pre-chat API), whole or streamed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, TypedDict, Unpack, overload

from .._config import NotGiven
from .._exceptions import InvalidParameterError
from .._request import RequestOptions, StreamingEndpoint, pop_options
from .._streaming import AsyncStream
from ..types import Completion
from ._base import Resource, present
from ._checks import check_flag, check_range, check_types, json_body
from ._params import LogitBias, check_sampling, check_stop

if TYPE_CHECKING:
    from .._packing import PromptCompletion

__all__ = ["CompletionCreateParams", "CompletionParams", "Completions"]

Prompt = str | Sequence[str] | Sequence[int] | Sequence[Sequence[int]]
# The documented bounds (2023 API reference).
_MAX_LOGPROBS = 5
_MAX_N = 128
_MAX_BEST_OF = 20


class CompletionParams(TypedDict, total=False):
    """The ``create`` parameters ``create_many`` passes on to every request."""

    suffix: str | NotGiven | None
    max_tokens: int | NotGiven | None
    temperature: float | NotGiven | None
    top_p: float | NotGiven | None
    logprobs: int | NotGiven | None
    echo: bool | NotGiven | None
    stop: str | Sequence[str] | NotGiven | None
    presence_penalty: float | NotGiven | None
    frequency_penalty: float | NotGiven | None
    best_of: int | NotGiven | None
    logit_bias: LogitBias | NotGiven | None
    seed: int | NotGiven | None
    user: str | NotGiven | None


class CompletionCreateParams(CompletionParams, RequestOptions, total=False):
    """The parameters of ``POST /completions`` (all but ``stream``), declared once."""

    model: Required[str]
    prompt: Required[Prompt | None]
    n: int | NotGiven | None
    stream_options: Mapping[str, Any] | NotGiven | None


COMPLETIONS = StreamingEndpoint(
    "POST", "completions", Completion, CompletionCreateParams, chunk=Completion
)


class Completions(Resource):
    """``POST /completions``."""

    __slots__ = ()

    @overload
    async def create(
        self, *, stream: Literal[False] | NotGiven = False, **params: Unpack[CompletionCreateParams]
    ) -> Completion: ...

    @overload
    async def create(
        self, *, stream: Literal[True], **params: Unpack[CompletionCreateParams]
    ) -> AsyncStream[Completion]: ...

    @overload
    async def create(
        self, *, stream: bool, **params: Unpack[CompletionCreateParams]
    ) -> Completion | AsyncStream[Completion]: ...

    async def create(
        self, *, stream: bool | NotGiven = False, **params: Unpack[CompletionCreateParams]
    ) -> Completion | AsyncStream[Completion]:
        """Complete ``prompt``; ``stream=True`` gives an ``AsyncStream`` of ``Completion``.

        ``prompt`` is a string, a list of strings, a list of token ids or a list of
        token-id lists; with several prompts, choice ``index`` is
        ``prompt_position * n + k``. ``prompt=None`` sends ``"prompt": null`` (the
        2023 schema requires the key and allows null; the server then starts a new
        document). ``best_of`` > 1 cannot be streamed.
        """
        given: dict[str, Any] = dict(params)
        options = pop_options(given)
        check_types(given, CompletionCreateParams)
        if "prompt" not in given:
            raise InvalidParameterError("prompt", "is required (None sends null)")
        check_flag("stream", stream)
        body = json_body(**given)
        n, best_of = body.get("n"), body.get("best_of")
        check_stop(body.get("stop"))
        check_range("logprobs", body.get("logprobs"), 0, _MAX_LOGPROBS)
        check_range("n", n, 1, _MAX_N)
        check_range("best_of", best_of, 0, _MAX_BEST_OF)
        # The reference says best_of "must be greater than n", yet best_of == n == 1 is
        # the default; the service refuses only best_of < n.
        if best_of is not None and best_of < (n or 1):
            raise InvalidParameterError("best_of", f"must be at least n ({n or 1}), got {best_of}")
        if stream and best_of is not None and best_of > 1:
            raise InvalidParameterError("best_of", "results with best_of > 1 cannot be streamed")
        if body.get("stream_options") is not None and not stream:
            raise InvalidParameterError("stream_options", "is only allowed with stream=True")
        check_sampling(body)
        body.setdefault("prompt", None)  # required, nullable: left out it would be invalid
        if stream:
            body["stream"] = True
            return await self._client.call(COMPLETIONS.stream(body, options))
        return await self._client.call(COMPLETIONS.request(body, options))

    async def create_many(
        self,
        prompts: Sequence[str] | Sequence[Sequence[int]],
        *,
        model: str,
        n: int | NotGiven = 1,
        max_concurrency: int | NotGiven = 8,
        **params: Unpack[CompletionParams],
    ) -> list[PromptCompletion]:
        """Complete many prompts, 20 to a request, concurrently; results in input order.

        ``params`` are the other ``create`` parameters (``CompletionParams``).
        Each result holds the ``n`` choices of its prompt, mapped back by
        ``choice.index == position * n + k`` (checked, never assumed: a mismatch raises
        ``PackingError``). Servers that refuse several prompts in one request (such as
        llama.cpp's) are detected once and then sent one prompt per request.
        """
        from .._packing import Probe, complete_many

        client = self._client
        retries = client.max_retries
        then = client.with_options(max_retries=retries - 1).completions.create if retries else None
        return await complete_many(
            self.create,
            prompts,
            model=model,
            n=present(n),
            max_concurrency=present(max_concurrency),
            quirks=self._client._quirks,
            params=params,
            probe=Probe(client.with_options(max_retries=0).completions.create, then),
        )
