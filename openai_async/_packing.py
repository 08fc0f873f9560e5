"""Packing many prompts into few requests, and mapping the answers back.

A completions request takes up to 20 prompts; its choices come back with
``index = prompt_position * n + k``. Nothing here trusts the order of the answer:
every index is checked to be present exactly once and in range.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import attrs

from ._exceptions import APIStatusError, InvalidParameterError, PackingError, shown
from ._taskgroup import task_group

if TYPE_CHECKING:
    from .types import Completion, CompletionChoice, CreateEmbeddingResponse

__all__ = [
    "MAX_PROMPTS_PER_REQUEST",
    "PackingError",
    "PromptCompletion",
    "ServerQuirks",
    "chunked",
    "complete_many",
    "embed_many",
    "group_by_index",
]

T = TypeVar("T")

MAX_PROMPTS_PER_REQUEST = 20  # the completions endpoint's documented maximum


def chunked(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Consecutive slices of at most ``size`` items."""
    if size < 1:
        raise ValueError("size must be >= 1")
    return [items[start : start + size] for start in range(0, len(items), size)]


def group_by_index(
    answers: Sequence[T], index_of: Callable[[T], int], count: int, per_item: int = 1
) -> list[list[T]]:
    """Put answers with index ``position * per_item + k`` into ``count`` lists of ``per_item``.

    Raises ``PackingError`` when an index is missing, repeated or out of range.
    """
    slots: list[T | None] = [None] * (count * per_item)
    for answer in answers:
        index = index_of(answer)
        if not 0 <= index < len(slots):
            raise PackingError(f"answer index {index} is out of range 0..{len(slots) - 1}")
        if slots[index] is not None:
            raise PackingError(f"answer index {index} appears twice")
        slots[index] = answer
    missing = [i for i, slot in enumerate(slots) if slot is None]
    if missing:
        raise PackingError(f"answers missing for indices {missing[:10]}")
    filled: list[T] = [slot for slot in slots if slot is not None]
    return [filled[i * per_item : (i + 1) * per_item] for i in range(count)]


@attrs.define
class ServerQuirks:
    """What a client learned about its server; shared by its ``with_options`` variants.

    ``packed_prompts_refused``: the server refuses several prompts in one request.
    ``packed_prompts_accepted``: it answered one, so a later 5xx is not a refusal.
    While one packed request is out to find out, ``probe`` is set: the others wait
    for it instead of being refused too.
    """

    packed_prompts_refused: bool = False
    packed_prompts_accepted: bool = False
    probe: anyio.Event | None = attrs.field(default=None, repr=False)

    @property
    def packing_known(self) -> bool:
        return self.packed_prompts_refused or self.packed_prompts_accepted


@attrs.frozen
class Probe:
    """How the first packed request goes: ``first`` without retries, then ``then``."""

    first: Callable[..., Awaitable[Completion]]
    then: Callable[..., Awaitable[Completion]] | None


# What a server says when it refuses a list of prompts: llama.cpp's answers 500 with
# {"error": {"code": 500, "message": ..., "type": "server_error"}}, the message from
# the JSON library or its own check on ``prompt`` ("type must be string, but is
# array", "prompt must be a string"); others answer 400 or 422 naming the prompt.
_REFUSAL_STATUSES = frozenset({400, 422, 500})
_REFUSAL_WORDS = re.compile(r"\b(prompt|array|list|string)s?\b", re.IGNORECASE)


def is_packing_refusal(error: BaseException) -> bool:
    """Whether an error answer says the server refuses several prompts in one request.

    Only an answer of that shape counts: a status llama.cpp (or a stricter server)
    uses for it, an error object, and a message about the prompt's type. A 502 from a
    proxy, a 500 with another message, or an answer the server marks retryable is a
    passing failure, never a refusal.
    """
    if not isinstance(error, APIStatusError) or error.status_code not in _REFUSAL_STATUSES:
        return False
    if error.headers.get("x-should-retry", "").strip().lower() == "true":
        return False
    if error.status_code == 500 and error.type not in (None, "server_error"):
        return False
    message = error.body.get("message") if isinstance(error.body, Mapping) else None
    return isinstance(message, str) and _REFUSAL_WORDS.search(message) is not None


@attrs.frozen(kw_only=True)
class PromptCompletion:
    """The ``n`` choices for one prompt of ``completions.create_many``, in ``k`` order."""

    prompt_index: int
    choices: list[CompletionChoice]

    @property
    def text(self) -> str:
        """The first choice's text."""
        return self.choices[0].text if self.choices else ""


def _prompts_of(param: str, values: object) -> list[Any]:
    """``values`` as a list whose items are each a str or a list of token ids.

    A str is a sequence too, and would otherwise be sent one character per prompt.
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidParameterError(
            param, f"expected a list of prompts, got {type(values).__name__} (wrap one in [])"
        )
    items = list(values)
    for position, item in enumerate(items):
        if isinstance(item, str):
            continue
        if isinstance(item, list | tuple) and all(
            isinstance(token, int) and not isinstance(token, bool) for token in item
        ):
            continue
        hint = " (a flat list of token ids is one prompt: wrap it in [])"
        raise InvalidParameterError(
            param,
            f"item {position}: expected a str or a list of token ids, got {shown(item)}"
            + (hint if isinstance(item, int) else ""),
        )
    return items


async def complete_many(
    create: Callable[..., Awaitable[Completion]],
    prompts: Sequence[str] | Sequence[Sequence[int]],
    *,
    model: str,
    n: int,
    max_concurrency: int,
    quirks: ServerQuirks,
    params: Mapping[str, Any],
    probe: Probe | None = None,
) -> list[PromptCompletion]:
    """Pack ``prompts`` 20 to a request, run the requests concurrently, unpack in order.

    Until the client knows whether its server takes several prompts in one request,
    the first packed request goes alone, through ``probe.first`` (``create`` without
    retries): a refused request is not worth retrying; any other failure of it is
    retried through ``probe.then`` (``create`` with one retry fewer, None: none left).
    The other packed requests wait for its answer. When the server refuses it (see
    ``is_packing_refusal``) and answers its first prompt alone, ``quirks`` remembers
    that for the client, and every prompt goes in a request of its own: one refused
    request per client. Any other failure is the request's own: retried as usual, it
    switches nothing. A server that ignores ``n`` is named in the ``PackingError``.
    """
    for name in ("prompt", "stream"):
        if name in params:
            raise InvalidParameterError(name, "not allowed in create_many")
    if not isinstance(max_concurrency, int) or max_concurrency < 1:
        raise InvalidParameterError("max_concurrency", "must be an int >= 1")
    prompt_list = _prompts_of("prompts", prompts)
    results: list[PromptCompletion | None] = [None] * len(prompt_list)
    limiter = anyio.Semaphore(max_concurrency)
    probe = probe or Probe(create, None)

    async def send(
        start: int, batch: Sequence[Any], via: Callable[..., Awaitable[Completion]] = create
    ) -> None:
        prompt: Any = list(batch) if len(batch) > 1 else batch[0]
        async with limiter:
            completion = await via(model=model, prompt=prompt, n=n, **params)
        choices = completion.choices
        if n > 1 and len(choices) == len(batch) and len(batch) * n != len(choices):
            raise PackingError(
                f"the server answered {len(choices)} choice(s) for {len(batch)} prompt(s)"
                f" with n={n}: it ignores n (ask it for one choice per request, or send"
                " each prompt n times)"
            )
        groups = group_by_index(choices, lambda c: c.index, len(batch), n)
        for offset, group in enumerate(groups):
            results[start + offset] = PromptCompletion(prompt_index=start + offset, choices=group)

    async def one_by_one(start: int, batch: Sequence[Any]) -> None:
        for offset, prompt in enumerate(batch):
            await send(start + offset, [prompt])

    async def find_out(start: int, batch: Sequence[Any]) -> None:
        """Send the first packed request, learning whether the server packs."""
        try:
            await send(start, batch, probe.first)
        except APIStatusError as exc:
            if not is_packing_refusal(exc):
                if probe.then is None:
                    raise
                await send(start, batch, probe.then)  # a passing failure: retried as usual
            else:
                await send(start, batch[:1])  # raises if the prompt alone fails as well
                quirks.packed_prompts_refused = True
                await one_by_one(start + 1, batch[1:])
                return
        quirks.packed_prompts_accepted = True

    async def send_checked(start: int, batch: Sequence[Any]) -> None:
        while len(batch) > 1 and not quirks.packing_known:
            if quirks.probe is None:
                quirks.probe = anyio.Event()
                try:
                    await find_out(start, batch)
                    return
                finally:
                    quirks.probe.set()
                    quirks.probe = None
            await quirks.probe.wait()
        if len(batch) == 1 or quirks.packed_prompts_refused:
            await one_by_one(start, batch)
        else:
            await send(start, batch)

    size = 1 if quirks.packed_prompts_refused else MAX_PROMPTS_PER_REQUEST
    await _run_concurrently(send_checked, chunked(prompt_list, size), size)
    return [result for result in results if result is not None]


async def embed_many(
    create: Callable[..., Awaitable[CreateEmbeddingResponse]],
    inputs: Sequence[str] | Sequence[Sequence[int]],
    *,
    model: str,
    batch_size: int,
    max_concurrency: int,
    params: Mapping[str, Any],
) -> list[list[float]]:
    """Embed ``inputs`` ``batch_size`` to a request, concurrently; vectors in input order.

    Each answer's ``data[i].index`` says which input of its request a vector belongs
    to; it is checked, never assumed to follow the input order.
    """
    if "input" in params:
        raise InvalidParameterError("input", "not allowed in create_many")
    if not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidParameterError("batch_size", "must be an int >= 1")
    if not isinstance(max_concurrency, int) or max_concurrency < 1:
        raise InvalidParameterError("max_concurrency", "must be an int >= 1")
    input_list = _prompts_of("inputs", inputs)
    vectors: list[list[float]] = [[] for _ in input_list]
    limiter = anyio.Semaphore(max_concurrency)

    async def send(start: int, batch: Sequence[Any]) -> None:
        async with limiter:
            answer = await create(model=model, input=list(batch), **params)
        for offset, (item,) in enumerate(
            group_by_index(answer.data, lambda e: e.index, len(batch))
        ):
            vectors[start + offset] = item.embedding

    await _run_concurrently(send, chunked(input_list, batch_size), batch_size)
    return vectors


async def _run_concurrently(
    send: Callable[[int, Sequence[Any]], Coroutine[Any, Any, None]],
    batches: Sequence[Sequence[Any]],
    size: int,
) -> None:
    """Run ``send(start, batch)`` for every batch at once; raise the first failure as itself.

    One failed request fails the call, as a single request's would; the others are
    cancelled, and the error is not wrapped in an ExceptionGroup.
    """
    async with task_group() as group:
        for index, batch in enumerate(batches):
            group.start_soon(send, index * size, batch)
