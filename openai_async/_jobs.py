"""Batch jobs: many requests under concurrency and rate limits, none ever lost.

::

    requests = [BatchRequest.chat(id=row.id, model="gpt-4o-mini", messages=[...]) for row in rows]
    async with client.batch(requests, requests_per_minute=500, tokens_per_minute=90_000,
                            checkpoint="run.jsonl") as job:
        async for result in job:
            ...                         # result.ok, result.response or result.error
    print(job.summary)

Every item it runs ends as exactly one ``BatchResult``: the response, or the error left
after the client's own retries (items the checkpoint already has are skipped and
counted in ``job.summary.skipped``). With a checkpoint, each result is appended to a JSON Lines
file as it is handed to you; a restart with the same file skips the ids already there.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import time
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
)
from contextlib import AbstractAsyncContextManager, aclosing
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict, TypeGuard

import anyio
import attrs
import httpx
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ._backoff import parse_retry_after
from ._checkpoint import Checkpoint
from ._exceptions import APIStatusError, InvalidParameterError, RateLimitError
from ._limiter import JobLimiter
from ._messages import message_json
from ._middleware import CallNext
from ._progress import BatchProgress, ProgressCallback, make_progress
from ._ratelimit import RateLimits
from ._request import APIRequest
from ._taskgroup import task_group
from ._tokens import TokenCounter, approximate_tokens, estimate_request_tokens

if TYPE_CHECKING:
    from ._client import AsyncClient

__all__ = ["BatchJob", "BatchOptions", "BatchRequest", "BatchResult", "BatchSummary"]

_ITEM_KEY = "openai_async.batch_item"


def _id_str(value: str | int | None) -> str | None:
    return None if value is None else str(value)


@attrs.frozen(kw_only=True)
class BatchRequest:
    """One request of a batch job: any endpoint, by path.

    ``id`` is yours (it keys the checkpoint) and is kept as a str, so ``101`` and
    ``"101"`` are the same id and results carry ``"101"``; without one, the item's
    position in the input is its id. An id an earlier item has already is refused:
    that item gets an ``InvalidParameterError`` result and is not sent. ``cast_to``
    picks the response model; by default the response of a known endpoint is parsed
    into its model and anything else is left as JSON.
    """

    path: str
    body: Mapping[str, Any] | None = None
    method: str = "POST"
    id: str | None = attrs.field(default=None, converter=_id_str)
    cast_to: type[Any] | None = None

    @classmethod
    def chat(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /chat/completions`` item with these body parameters.

        ``messages`` may hold response models, as in ``chat.completions.create``.
        """
        messages = params.get("messages")
        if isinstance(messages, list | tuple):
            params["messages"] = [message_json(m) for m in messages]
        return cls(path="chat/completions", body=params, id=id)

    @classmethod
    def completion(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /completions`` item."""
        return cls(path="completions", body=params, id=id)

    @classmethod
    def embedding(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /embeddings`` item."""
        return cls(path="embeddings", body=params, id=id)

    @classmethod
    def moderation(cls, *, id: str | int | None = None, **params: Any) -> BatchRequest:
        """A ``POST /moderations`` item."""
        return cls(path="moderations", body=params, id=id)

    @classmethod
    def from_batch_line(cls, line: str | bytes | Mapping[str, Any]) -> BatchRequest:
        """An item from a line of OpenAI's Batch API input file, as text or parsed.

        (``{"custom_id", "method", "url": "/v1/...", "body"}``), so such a file can run
        here unchanged: ``[BatchRequest.from_batch_line(line) for line in file]``.
        """
        if isinstance(line, str | bytes):
            try:
                line = json.loads(line)
            except ValueError as exc:
                raise InvalidParameterError("line", f"not a JSON line: {exc}") from None
        if not isinstance(line, Mapping) or "url" not in line:
            raise InvalidParameterError("line", "expected an object with a 'url'")
        url = str(line["url"])
        return cls(
            path=url.removeprefix("/v1/").lstrip("/"),
            body=line.get("body"),
            method=str(line.get("method", "POST")),
            id=line.get("custom_id"),
        )


@attrs.frozen(kw_only=True)
class BatchResult:
    """What became of one item: ``response`` when ``ok``, else ``error``."""

    id: str
    index: int
    response: Any = None
    error: BaseException | None = None
    attempts: int = 0
    usage: Mapping[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@attrs.frozen(kw_only=True)
class BatchSummary:
    """Counts, tokens and pace of a job so far."""

    succeeded: int
    failed: int
    skipped: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    elapsed: float
    requests_per_minute: float
    tokens_per_minute: float


class BatchOptions(TypedDict, total=False):
    """The keyword options of ``BatchJob`` (and ``AsyncClient.batch``)."""

    max_concurrency: int
    requests_per_minute: float | None
    tokens_per_minute: float | None
    period: float
    checkpoint: str | os.PathLike[str] | None
    retry_failed: bool
    ordered: bool
    progress: bool | ProgressCallback
    token_counter: TokenCounter


@attrs.define
class _ItemState:
    attempts: int = 0


@attrs.frozen
class _Item:
    index: int
    id: str
    request: BatchRequest
    digest: str | None  # of what it sends, for its checkpoint line; None without one


@attrs.frozen
class _Finished:
    """A result on its way to the consumer, with the checkpoint line it gets, if any."""

    result: BatchResult
    line: dict[str, Any] | None


def _error_record(error: BaseException) -> dict[str, Any]:
    record: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, APIStatusError):
        record.update(status_code=error.status_code, code=error.code, request_id=error.request_id)
    return record


class BatchJob:
    """Run requests concurrently under limits; iterate the results inside ``async with``.

    A result is recorded (checkpoint line, ``summary``) when it is handed to you, and
    the job runs at most ``max_concurrency`` items ahead of what you have read. Leaving
    the ``async with`` block early cancels the work in flight; results not yet handed
    over are not recorded, so a restart sends them again rather than losing them.
    ``ordered=True`` yields results in input order instead of as they finish. A
    progress callback that raises is logged (logger ``openai_async.batch``) and the
    job goes on.
    """

    def __init__(
        self,
        client: AsyncClient,
        requests: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
        *,
        max_concurrency: int = 16,
        requests_per_minute: float | None = None,
        tokens_per_minute: float | None = None,
        period: float = 60.0,
        checkpoint: str | os.PathLike[str] | None = None,
        retry_failed: bool = False,
        ordered: bool = False,
        progress: bool | ProgressCallback = False,
        token_counter: TokenCounter = approximate_tokens,
    ) -> None:
        if (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise InvalidParameterError("max_concurrency", "must be an int >= 1")
        for name, limit in (
            ("requests_per_minute", requests_per_minute),
            ("tokens_per_minute", tokens_per_minute),
        ):
            if limit is not None and not (_is_number(limit) and 2 <= limit < math.inf):
                raise InvalidParameterError(name, f"must be a number >= 2 or None, got {limit!r}")
        if not (_is_number(period) and 0 < period < math.inf):
            raise InvalidParameterError("period", f"must be positive seconds, got {period!r}")
        self._client = client._with_inner_middleware(self._observe)
        self._requests = requests
        self._max_concurrency = max_concurrency
        self._slots = anyio.Semaphore(max_concurrency)
        self._limiter = JobLimiter(
            requests=requests_per_minute, tokens=tokens_per_minute, period=period
        )
        self._checkpoint = None if checkpoint is None else Checkpoint(checkpoint)
        self._retry_failed = retry_failed
        self._ordered = ordered
        self._count_tokens = token_counter
        self._total = len(requests) if isinstance(requests, list | tuple) else None
        self._progress_option = progress
        self._progress = make_progress(False, None)  # the real one is made on entry
        self._group: AbstractAsyncContextManager[TaskGroup] | None = None
        self._task_group: TaskGroup | None = None
        self._receive: MemoryObjectReceiveStream[_Finished] | None = None
        self._take: Callable[[], Awaitable[_Finished]] | None = None
        self._unreported = False  # a result was handed over and progress not told yet
        self._fatal: RateLimitError | None = None
        self._started = 0.0
        self._sent = 0
        self._counts = {"succeeded": 0, "failed": 0, "skipped": 0}
        self._tokens = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        self._skipped_indices: set[int] = set()  # for ordered=True, until passed over
        self._ended = False

    # -- life cycle ------------------------------------------------------------------

    async def __aenter__(self) -> BatchJob:
        if self._group is not None:
            raise RuntimeError("a BatchJob runs once: make another with client.batch(...)")
        if self._checkpoint is not None:
            # Reading a large checkpoint must not stall the event loop.
            await anyio.to_thread.run_sync(self._checkpoint.open)
        self._progress = make_progress(self._progress_option, self._total)
        self._started = time.monotonic()
        send, self._receive = anyio.create_memory_object_stream[_Finished](self._max_concurrency)
        self._take = self._receive.receive
        if self._ordered:
            self._take = _InOrder(self._receive, self._skipped_indices).receive
        self._group = task_group()
        self._task_group = await self._group.__aenter__()
        self._task_group.start_soon(self._produce, send)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._group is not None
        assert self._task_group is not None
        assert self._receive is not None
        self._task_group.cancel_scope.cancel()  # no-op when everything finished
        try:
            return await self._group.__aexit__(exc_type, exc, tb)
        finally:
            self._receive.close()
            self._take = None
            self._ended = True
            if self._checkpoint is not None:
                self._checkpoint.close()
            self._report_delivered()
            self._progress.close()

    def __aiter__(self) -> AsyncIterator[BatchResult]:
        self._check_running()
        return self

    def _check_running(self) -> None:
        if self._ended:
            raise RuntimeError("this BatchJob has ended: make another with client.batch(...)")
        if self._take is None:
            raise RuntimeError("iterate a BatchJob inside `async with`")

    async def __anext__(self) -> BatchResult:
        """The next result, recorded (checkpoint line, ``summary``) as it is handed over.

        No await lies between the record and the return, so a checkpoint line never
        stands for a result the consumer did not get. The slot is given back only here,
        which holds the job within ``max_concurrency`` items of the consumer; in input
        order, results waiting for an earlier one keep theirs, which cannot deadlock:
        the earliest one missing is itself in flight.
        """
        self._check_running()
        assert self._take is not None
        self._report_delivered()
        try:
            finished = await self._take()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None
        self._record(finished)
        self._slots.release()
        self._unreported = True
        return finished.result

    async def collect(self) -> list[BatchResult]:
        """Every result of this run, in input order."""
        results = [result async for result in self]
        return sorted(results, key=lambda r: r.index)

    @property
    def summary(self) -> BatchSummary:
        elapsed = time.monotonic() - self._started if self._started else 0.0
        minutes = max(elapsed, 1e-9) / 60
        return BatchSummary(
            **self._counts,
            **self._tokens,
            elapsed=elapsed,
            requests_per_minute=self._sent / minutes,
            tokens_per_minute=self._tokens["total_tokens"] / minutes,
        )

    def __repr__(self) -> str:
        c = self._counts
        return f"<BatchJob ok={c['succeeded']} failed={c['failed']} skipped={c['skipped']}>"

    # -- the work --------------------------------------------------------------------

    async def _produce(self, send: MemoryObjectSendStream[_Finished]) -> None:
        done = self._finished_records()
        seen: set[str] = set()
        async with send, aclosing(_aiterate(self._requests)) as requests:
            index = 0
            async for request in requests:
                item = self._item(index, request)
                if item.id in seen:
                    await self._refuse(item, send)
                elif _is_done(done.get(item.id), item):
                    self._skip(index)
                else:
                    await self._start(item, send)
                seen.add(item.id)
                index += 1

    def _item(self, index: int, request: BatchRequest) -> _Item:
        item_id = request.id if request.id is not None else str(index)
        digest = None if self._checkpoint is None else _digest(request)
        return _Item(index=index, id=item_id, request=request, digest=digest)

    async def _start(self, item: _Item, send: MemoryObjectSendStream[_Finished]) -> None:
        """Start one item once a slot and its tokens are free."""
        assert self._task_group is not None
        await self._slots.acquire()  # given back when the consumer takes the result
        try:
            tokens = self._estimate(item.request)
        except Exception as exc:  # a bad item (or token counter) fails that item alone
            result = BatchResult(id=item.id, index=item.index, error=exc)
            # Never full: each result in the stream holds one of max_concurrency slots.
            send.send_nowait(self._finished(item, result, None))
            return
        if self._fatal is None:
            await self._limiter.acquire(tokens)
        self._task_group.start_soon(self._run_one, item, tokens, send.clone())

    async def _refuse(self, item: _Item, send: MemoryObjectSendStream[_Finished]) -> None:
        """Fail an item whose id an earlier item has, without sending or recording it.

        A checkpoint line under that id would stand for the earlier item as well.
        """
        await self._slots.acquire()  # as every result does, until it is handed over
        error = InvalidParameterError(
            "id", f"{item.id!r} is also the id of an earlier item (ids must be unique)"
        )
        send.send_nowait(_Finished(BatchResult(id=item.id, index=item.index, error=error), None))

    def _finished_records(self) -> Mapping[str, Mapping[str, Any]]:
        if self._checkpoint is None:
            return {}
        records = self._checkpoint.records
        if self._retry_failed:
            return {key: record for key, record in records.items() if record.get("ok")}
        return records

    def _skip(self, index: int) -> None:
        self._counts["skipped"] += 1
        if self._ordered:
            self._skipped_indices.add(index)
        self._progress.update(self._snapshot())

    def _estimate(self, request: BatchRequest) -> int:
        return estimate_request_tokens(request.path, request.body, self._count_tokens)

    async def _run_one(
        self, item: _Item, tokens: int, send: MemoryObjectSendStream[_Finished]
    ) -> None:
        async with send:
            if self._fatal is not None:  # the quota is gone: sending more cannot help
                # No checkpoint line: the item never ran, so a restart (with the quota
                # topped up) runs it, where a failed line would have it skipped.
                result = BatchResult(id=item.id, index=item.index, error=self._fatal)
                await send.send(_Finished(result, None))
                return
            result, data = await self._execute(item, tokens)
            await send.send(self._finished(item, result, data))

    async def _execute(self, item: _Item, tokens: int) -> tuple[BatchResult, object]:
        """The item's result and the JSON it was made from."""
        state = _ItemState()
        index, item_id, request = item.index, item.id, item.request
        self._sent += 1
        try:
            cast_to = request.cast_to or _response_type(request.path)
            data, body = await self._client.call(
                APIRequest(
                    method=request.method,
                    path=request.path,
                    read=functools.partial(_read_item, cast_to=cast_to),
                    body=request.body,
                    extensions={_ITEM_KEY: state},
                )
            )
        except Exception as exc:  # a bad item must not end the job: it gets its error
            if isinstance(exc, RateLimitError) and exc.code == "insufficient_quota":
                self._fatal = exc
            error = BatchResult(id=item_id, index=index, error=exc, attempts=state.attempts)
            return error, None
        usage = _usage(data)
        if usage is not None:
            self._limiter.settle(tokens, usage.get("total_tokens", tokens))
        result = BatchResult(
            id=item_id, index=index, response=body, attempts=state.attempts, usage=usage
        )
        return result, data

    def _finished(self, item: _Item, result: BatchResult, data: object) -> _Finished:
        line = None if self._checkpoint is None else _checkpoint_line(item, result, data)
        return _Finished(result, line)

    def _report_delivered(self) -> None:
        # Only once the result is out: the callback is user code, and nothing it does
        # may come between a checkpoint line and the delivery of its result.
        if self._unreported:
            self._unreported = False
            self._progress.update(self._snapshot())

    def _record(self, finished: _Finished) -> None:
        result = finished.result
        if result.ok:
            self._counts["succeeded"] += 1
            for key, value in (result.usage or {}).items():  # ints only (see _usage)
                if key in self._tokens:
                    self._tokens[key] += value
        else:
            self._counts["failed"] += 1
        if self._checkpoint is not None and finished.line is not None:
            self._checkpoint.append(finished.line)

    def _snapshot(self) -> BatchProgress:
        return BatchProgress(
            done=self._counts["succeeded"] + self._counts["failed"],
            failed=self._counts["failed"],
            skipped=self._counts["skipped"],
            total=self._total,
            elapsed=time.monotonic() - self._started,
        )

    async def _observe(self, request: httpx.Request, call_next: CallNext) -> httpx.Response:
        """Innermost middleware: count attempts and steer the job's pace by each answer."""
        state = request.extensions.get(_ITEM_KEY)
        if isinstance(state, _ItemState):
            state.attempts += 1
        response = await call_next(request)
        headers = response.headers
        if response.status_code == 429:
            self._limiter.slow_down()
            self._pause(parse_retry_after(headers, now=time.time()))
        else:
            limits = RateLimits.from_headers(headers)
            if limits.remaining_requests == 0:
                self._pause(limits.reset_requests)
            if limits.remaining_tokens == 0:
                self._pause(limits.reset_tokens)
            if response.is_success:
                self._limiter.recover()
        return response

    def _pause(self, seconds: float | None) -> None:
        # Capped as the item's own retry wait is: holding the whole job longer than
        # that would only leave it idle after the retry went through.
        self._limiter.pause(min(seconds or 0.0, self._client.retry.max_retry_after))


class _InOrder:
    """Finished items in input order, passing over the indices the job skipped."""

    def __init__(self, receive: MemoryObjectReceiveStream[_Finished], skipped: set[int]) -> None:
        self._receive = receive
        self._skipped = skipped
        self._pending: dict[int, _Finished] = {}
        self._next_index = 0

    async def receive(self) -> _Finished:
        while True:
            while self._next_index in self._skipped:
                self._skipped.discard(self._next_index)
                self._next_index += 1
            finished = self._pending.pop(self._next_index, None)
            if finished is not None:
                self._next_index += 1
                return finished
            try:
                finished = await self._receive.receive()
            except anyio.EndOfStream:
                if not self._pending:
                    raise
                return self._pending.pop(min(self._pending))  # the input shrank under us
            self._pending[finished.result.index] = finished


async def _aiterate(
    items: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
) -> AsyncGenerator[BatchRequest, None]:
    if isinstance(items, AsyncIterable):
        iterator = aiter(items)
        try:
            async for item in iterator:
                yield item
        finally:  # a cancelled job closes the caller's generator too, at once
            aclose = getattr(iterator, "aclose", None)
            if aclose is not None:
                await aclose()
    else:
        for item in items:
            yield item


def _is_number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_done(record: Mapping[str, Any] | None, item: _Item) -> bool:
    """Whether a checkpoint line finished this item: its id, and its request if recorded.

    Lines written before they carried a digest are taken at their id.
    """
    return record is not None and record.get("digest", item.digest) == item.digest


def _digest(request: BatchRequest) -> str:
    """A short fingerprint of what an item sends, kept in its checkpoint line.

    It tells this item's line from another job's that shares the id (two jobs without
    ids both have "0", "1"...), so that the item runs instead of being skipped.
    """
    try:
        text = json.dumps([request.method, request.path, request.body], default=repr)
    except (TypeError, ValueError, RecursionError):  # unsendable as well: the item fails alone
        return "unreadable"
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _checkpoint_line(item: _Item, result: BatchResult, data: object) -> dict[str, Any]:
    line: dict[str, Any] = {
        "id": result.id,
        "index": result.index,
        "digest": item.digest,
        "ok": result.ok,
        "attempts": result.attempts,
    }
    if result.ok:
        line["response"] = data  # the JSON as received: any cast_to model can be remade
        line["usage"] = dict(result.usage) if result.usage else None
    else:
        assert result.error is not None
        line["error"] = _error_record(result.error)
    return line


def _usage(data: object) -> dict[str, int] | None:
    usage = data.get("usage") if isinstance(data, Mapping) else None
    if not isinstance(usage, Mapping):
        return None
    return {k: v for k, v in usage.items() if isinstance(v, int)}


def _read_item(response: httpx.Response, *, cast_to: type[Any] | None) -> tuple[Any, Any]:
    """The answer's JSON (for the checkpoint) and the result made of it."""
    from ._decode import decode_json, structure_body

    data = decode_json(response)
    return data, data if cast_to is None else structure_body(response, data, cast_to)


@functools.cache
def _result_types() -> dict[str, type[Any]]:
    from .resources._registry import result_types

    return result_types()


def _response_type(path: str) -> type[Any] | None:
    """The model of a known endpoint's answer; None leaves the answer as JSON."""
    return _result_types().get(path.strip("/").split("?")[0])
