"""The running job: items in, one result each out, under concurrency and rate limits.

``BatchJob`` is what you hold; ``_Run`` is its running state, made whole when the
job is entered and dropped when it ends, so nothing in it is ever half set.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Iterable, Mapping
from contextlib import AbstractAsyncContextManager, aclosing
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import anyio
import attrs
from anyio.abc import TaskGroup
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from .._exceptions import InvalidParameterError, RateLimitError, shown
from .._progress import ProgressCallback, make_progress
from .._retry import KEYED_METHODS
from .._taskgroup import task_group
from .._tokens import TokenCounter, approximate_tokens, estimate_request_tokens
from ._checkpoint import Checkpoint, checkpoint_line, digest, is_done
from ._keys import item_key, new_salt
from ._limiter import Limiter, LocalLimiter
from ._records import BatchResult, BatchSummary, Finished, InOrder, Tally
from ._request import BatchRequest, JobSettings
from ._send import Sender, Sent, usage_of

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = ["BatchJob"]


@attrs.frozen
class _Item:
    index: int
    id: str
    request: BatchRequest
    digest: str | None  # of what it sends, for its checkpoint line; None without one
    key: str | None = None  # its Idempotency-Key, the same in every run (see _keys)


class BatchJob:
    """Run requests concurrently under limits; iterate the results inside ``async with``.

    ::

        requests = [BatchRequest.chat(id=row.id, model="gpt-4o-mini", messages=[...])
                    for row in rows]
        async with client.batch(requests, checkpoint="run.jsonl") as job:
            async for result in job:
                ...                     # result.ok, result.response or result.error
        print(job.summary)

    Every item it runs ends as exactly one ``BatchResult``: the response, or the error
    left after its retries (items the checkpoint already has are skipped and counted
    in ``summary.skipped``). A result is recorded (checkpoint line, ``summary``) when it
    is handed to you, and the job runs at most ``max_concurrency`` items ahead of what
    you have read. Leaving the ``async with`` block early cancels the work in flight;
    results not yet handed over are not recorded, so a restart sends them again rather
    than losing them. ``ordered=True`` yields results in input order instead of as they
    finish. A progress callback that raises is logged (logger ``openai_async.batch``)
    and the job goes on.

    Backends: ``backend="live"`` sends every item from here; ``"batch_api"`` runs them
    through the provider's Batch API (``_batch_api``: sharded files, the batches kept in
    the checkpoint so a restart resumes polling them, items not run rerun as
    ``batch_rerun`` says); ``"auto"`` takes the Batch API when the items' estimated
    tokens at ``tokens_per_minute`` need longer than ``deadline`` seconds (a list of
    items only). Results, records and checkpoint lines are the same whichever runs.

    Limits: ``requests_per_minute`` and ``tokens_per_minute`` per ``period`` seconds,
    or none; the job learns the server's own from its answers and keeps to the lowest
    (see ``openai_async.jobs._learn``). ``limiter`` replaces the job's own limiter, e.g.
    a ``RedisLimiter`` whose budget many workers share. Retries follow the client's
    ``RetryPolicy``, and each one waits its turn at the limiter.

    Each POST or PATCH item has one ``Idempotency-Key``, fixed before it is first sent
    (``_keys``): its retries carry it, and so does its resend by a job resumed from the
    checkpoint after a crash, so the server can drop the duplicate.
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
        limiter: Limiter | None = None,
        checkpoint: str | os.PathLike[str] | None = None,
        retry_failed: bool = False,
        ordered: bool = False,
        progress: bool | ProgressCallback = False,
        token_counter: TokenCounter = approximate_tokens,
        backend: Literal["live", "batch_api", "auto"] = "live",
        deadline: float | None = None,
        batch_rerun: Literal["live", "batch", "none"] = "live",
        batch_size: int = 50_000,
        poll_interval: float = 1.0,
    ) -> None:
        self._settings = JobSettings(
            backend=backend,
            deadline=deadline,
            batch_rerun=batch_rerun,
            batch_size=batch_size,
            poll_interval=poll_interval,
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute,
            tokens_per_minute=tokens_per_minute,
            period=period,
            limiter=limiter,
            checkpoint=checkpoint,
            retry_failed=retry_failed,
            ordered=ordered,
            progress=progress,
            token_counter=token_counter,
        )
        self._client = client
        self._requests = requests
        self._run: _Run | None = None
        self._entered = False
        self._tally = Tally(total=_length(requests))

    async def __aenter__(self) -> BatchJob:
        if self._entered:
            raise RuntimeError("a BatchJob runs once: make another with client.batch(...)")
        self._entered = True
        self._run = await _Run.start(self._client, self._requests, self._settings, self._tally)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        run, self._run = self._run, None
        assert run is not None
        return await run.stop(exc_type, exc, tb)

    def __aiter__(self) -> AsyncIterator[BatchResult]:
        self._running()
        return self

    def _running(self) -> _Run:
        if self._run is None:
            if self._entered:
                raise RuntimeError("this BatchJob has ended: make another with client.batch(...)")
            raise RuntimeError("iterate a BatchJob inside `async with`")
        return self._run

    async def __anext__(self) -> BatchResult:
        return await self._running().next()

    async def collect(self) -> list[BatchResult]:
        """Every result of this run, in input order."""
        results = [result async for result in self]
        return sorted(results, key=lambda r: r.index)

    @property
    def summary(self) -> BatchSummary:
        return self._tally.summary()

    def __repr__(self) -> str:
        t = self._tally
        return f"<BatchJob ok={t.succeeded} failed={t.failed} skipped={t.skipped}>"


class _Run:
    """A job while it runs: its task group, result stream, limiter, checkpoint, progress."""

    def __init__(
        self,
        *,
        client: AsyncClient,
        settings: JobSettings,
        tally: Tally,
        limiter: Limiter,
        sender: Sender,
        checkpoint: Checkpoint | None,
        group: AbstractAsyncContextManager[TaskGroup],
        tasks: TaskGroup,
        receive: MemoryObjectReceiveStream[Finished],
    ) -> None:
        self._client = client
        self._settings = settings
        self._tally = tally
        self._limiter = limiter
        self._sender = sender
        self._checkpoint = checkpoint
        self._group = group
        self._tasks = tasks
        self._receive = receive
        self._skipped_indices: set[int] = set()  # for ordered=True, until passed over
        self._take = receive.receive
        if settings.ordered:
            self._take = InOrder(receive, self._skipped_indices).receive
        self._slots = anyio.Semaphore(settings.max_concurrency)
        self._progress = make_progress(settings.progress, tally.total)
        self._unreported = False  # a result was handed over and progress not told yet
        self._fatal: RateLimitError | None = None
        # The salt of the items' keys: the checkpoint's, or a new one it gets before
        # the first keyed request leaves (see _start).
        self._salt = (checkpoint.salt if checkpoint else None) or new_salt()

    @classmethod
    async def start(
        cls,
        client: AsyncClient,
        requests: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
        settings: JobSettings,
        tally: Tally,
    ) -> _Run:
        checkpoint = None
        if settings.checkpoint is not None:
            checkpoint = Checkpoint(settings.checkpoint)
            # Reading a large checkpoint must not stall the event loop.
            await anyio.to_thread.run_sync(checkpoint.open)
        limiter = settings.limiter or LocalLimiter(
            requests=settings.requests_per_minute,
            tokens=settings.tokens_per_minute,
            period=settings.period,
            max_hold=client.retry.max_retry_after,
        )
        send, receive = anyio.create_memory_object_stream[Finished](settings.max_concurrency)
        group = task_group()
        tasks = await group.__aenter__()
        tally.started = time.monotonic()
        run = cls(
            client=client,
            settings=settings,
            tally=tally,
            limiter=limiter,
            sender=Sender(client, limiter),
            checkpoint=checkpoint,
            group=group,
            tasks=tasks,
            receive=receive,
        )
        tasks.start_soon(run._produce, requests, send)
        return run

    async def stop(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        self._tasks.cancel_scope.cancel()  # no-op when everything finished
        try:
            return await self._group.__aexit__(exc_type, exc, tb)
        finally:
            self._receive.close()
            if self._checkpoint is not None:
                self._checkpoint.close()
            self._report_delivered()
            self._progress.close()

    async def next(self) -> BatchResult:
        """The next result, recorded (checkpoint line, ``summary``) as it is handed over.

        No await lies between the record and the return, so a checkpoint line never
        stands for a result the consumer did not get. The slot is given back only here,
        which holds the job within ``max_concurrency`` items of the consumer; in input
        order, results waiting for an earlier one keep theirs, which cannot deadlock:
        the earliest one missing is itself in flight.
        """
        self._report_delivered()
        try:
            finished = await self._take()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None
        self._tally.count(finished.result)
        if self._checkpoint is not None and finished.line is not None:
            self._checkpoint.append(finished.line)
        self._slots.release()
        self._unreported = True
        return finished.result

    def _report_delivered(self) -> None:
        # Only once the result is out: the callback is user code, and nothing it does
        # may come between a checkpoint line and the delivery of its result.
        if self._unreported:
            self._unreported = False
            self._progress.update(self._tally.progress())

    # -- the work --------------------------------------------------------------------

    async def _produce(
        self,
        requests: Iterable[BatchRequest] | AsyncIterable[BatchRequest],
        send: MemoryObjectSendStream[Finished],
    ) -> None:
        done = self._finished_records()
        seen: set[str] = set()
        by_batch = self._uses_batch_api(requests)
        todo: list[_Item] = []
        async with send, aclosing(_aiterate(requests)) as items:
            index = 0
            async for request in items:
                item = self._item(index, request)
                if item.id in seen:
                    await self._refuse(item, send)
                elif is_done(done.get(item.id), item.digest):
                    self._skip(index)
                elif by_batch:
                    todo.append(item)
                else:
                    await self._start(item, send)
                seen.add(item.id)
                index += 1
            if todo:
                await self._run_batches(todo, send)

    def _uses_batch_api(self, requests: object) -> bool:
        settings = self._settings
        if settings.backend != "auto":
            return settings.backend == "batch_api"
        if not isinstance(requests, list | tuple):
            return False  # an iterable cannot be weighed before it is run
        assert settings.tokens_per_minute is not None
        assert settings.deadline is not None
        total = 0
        for request in requests:
            try:
                total += estimate_request_tokens(request.path, request.body, settings.token_counter)
            except Exception:  # that item will fail alone when it runs
                continue
        needed = total / settings.tokens_per_minute * settings.period
        return needed > settings.deadline

    async def _run_batches(self, todo: list[_Item], send: MemoryObjectSendStream[Finished]) -> None:
        from ._batch_api import BatchAPIBackend, BatchExpiredError

        settings = self._settings
        backend = BatchAPIBackend(
            self._client,
            self._checkpoint,
            batch_size=settings.batch_size,
            poll_interval=settings.poll_interval,
        )

        async def emit(item: _Item, data: object, error: BaseException | None) -> None:
            await self._slots.acquire()  # given back when the consumer takes the result
            cast_to = item.request.cast_to or _response_type(item.request.path)
            body: Any = data
            if error is None and cast_to is not None:
                from .._models import structure

                try:
                    body = structure(data, cast_to)
                except Exception as exc:  # an answer that does not fit fails its item alone
                    error = exc
            result = BatchResult(
                id=item.id,
                index=item.index,
                response=None if error is not None else body,
                error=error,
                attempts=1,
                usage=None if error is not None else usage_of(data),
            )
            await send.send(self._finished(item, result, data))

        missing = await backend.run(todo, emit)
        if missing and settings.batch_rerun == "batch":
            missing = await backend.run(missing, emit)
        for item in missing:
            if settings.batch_rerun == "none":
                error = BatchExpiredError("the batch ended before running this item")
                await emit(item, None, error)
            else:
                await self._start(item, send)

    def _item(self, index: int, request: BatchRequest) -> _Item:
        item_id = request.id if request.id is not None else str(index)
        checkpoint = self._checkpoint
        fingerprint = None if checkpoint is None else digest(request)
        key = None
        if request.method.upper() in KEYED_METHODS:
            runs = 0 if checkpoint is None else checkpoint.records.get(item_id, {}).get("runs", 0)
            key = item_key(self._salt, item_id, fingerprint, runs)
        return _Item(index=index, id=item_id, request=request, digest=fingerprint, key=key)

    def _finished_records(self) -> Mapping[str, Mapping[str, Any]]:
        if self._checkpoint is None:
            return {}
        records = self._checkpoint.records
        if self._settings.retry_failed:
            return {key: record for key, record in records.items() if record.get("ok")}
        return records

    def _skip(self, index: int) -> None:
        self._tally.skipped += 1
        if self._settings.ordered:
            self._skipped_indices.add(index)
        self._progress.update(self._tally.progress())

    async def _start(self, item: _Item, send: MemoryObjectSendStream[Finished]) -> None:
        """Start one item once a slot is free; the limiter paces its attempts."""
        await self._slots.acquire()  # given back when the consumer takes the result
        try:
            tokens = estimate_request_tokens(
                item.request.path, item.request.body, self._settings.token_counter
            )
        except Exception as exc:  # a bad item (or token counter) fails that item alone
            result = BatchResult(id=item.id, index=item.index, error=exc)
            # Never full: each result in the stream holds one of max_concurrency slots.
            send.send_nowait(self._finished(item, result, None))
            return
        if item.key is not None and self._checkpoint is not None:
            # On disk before the key is first sent, so a resume derives the same keys.
            self._checkpoint.keep_salt(self._salt)
        self._tasks.start_soon(self._run_one, item, tokens, send.clone())

    async def _refuse(self, item: _Item, send: MemoryObjectSendStream[Finished]) -> None:
        """Fail an item whose id an earlier item has, without sending or recording it.

        A checkpoint line under that id would stand for the earlier item as well.
        """
        await self._slots.acquire()  # as every result does, until it is handed over
        error = InvalidParameterError(
            "id", f"{shown(item.id)} is also the id of an earlier item (ids must be unique)"
        )
        send.send_nowait(Finished(BatchResult(id=item.id, index=item.index, error=error), None))

    async def _run_one(
        self, item: _Item, tokens: int, send: MemoryObjectSendStream[Finished]
    ) -> None:
        async with send:
            if self._fatal is not None:  # the quota is gone: sending more cannot help
                # No checkpoint line: the item never ran, so a restart (with the quota
                # topped up) runs it, where a failed line would have it skipped.
                result = BatchResult(id=item.id, index=item.index, error=self._fatal)
                await send.send(Finished(result, None))
                return
            self._tally.sent += 1
            request = item.request
            sent = await self._sender.send(
                request, tokens, request.cast_to or _response_type(request.path), key=item.key
            )
            if sent.quota_gone:
                assert isinstance(sent.error, RateLimitError)
                self._fatal = sent.error
            result = _result(item, sent)
            await send.send(self._finished(item, result, sent.data))

    def _finished(self, item: _Item, result: BatchResult, data: object) -> Finished:
        if self._checkpoint is None:
            return Finished(result, None)
        return Finished(result, checkpoint_line(result, item.digest, data))


def _result(item: _Item, sent: Sent) -> BatchResult:
    return BatchResult(
        id=item.id,
        index=item.index,
        response=sent.body,
        error=sent.error,
        attempts=sent.attempts,
        usage=sent.usage,
    )


def _length(requests: object) -> int | None:
    return len(requests) if isinstance(requests, list | tuple) else None


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


@functools.cache
def _result_types() -> dict[str, type[Any]]:
    from ..resources._registry import result_types

    return result_types()


def _response_type(path: str) -> type[Any] | None:
    """The model of a known endpoint's answer; None leaves the answer as JSON."""
    return _result_types().get(path.strip("/").split("?")[0])
