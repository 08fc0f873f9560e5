"""What a job hands back: one result per item, their tally, and input order on request."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream

from .._exceptions import APIStatusError, excerpt
from .._progress import BatchProgress

__all__ = ["BatchResult", "BatchSummary", "Finished", "InOrder", "Tally", "error_record"]


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


@attrs.frozen
class Finished:
    """A result on its way to the consumer, with the checkpoint line it gets, if any."""

    result: BatchResult
    line: dict[str, Any] | None


def error_record(error: BaseException) -> dict[str, Any]:
    """An error as its checkpoint line keeps it."""
    # An excerpt: a checkpoint line per failed item must stay small whatever the error says.
    record: dict[str, Any] = {"type": type(error).__name__, "message": excerpt(str(error), 800)}
    if isinstance(error, APIStatusError):
        record.update(status_code=error.status_code, code=error.code, request_id=error.request_id)
    return record


_TOKEN_KEYS = ("prompt_tokens", "completion_tokens", "total_tokens")


@attrs.define
class Tally:
    """Counts of a job: results handed over, items skipped, requests sent, tokens used."""

    total: int | None = None
    started: float = attrs.field(factory=time.monotonic)
    succeeded: int = 0
    failed: int = 0
    skipped: int = 0
    sent: int = 0
    tokens: dict[str, int] = attrs.field(factory=lambda: dict.fromkeys(_TOKEN_KEYS, 0))

    def count(self, result: BatchResult) -> None:
        if result.ok:
            self.succeeded += 1
            for key, value in (result.usage or {}).items():  # ints only
                if key in self.tokens:
                    self.tokens[key] += value
        else:
            self.failed += 1

    def summary(self) -> BatchSummary:
        elapsed = time.monotonic() - self.started
        minutes = max(elapsed, 1e-9) / 60
        return BatchSummary(
            succeeded=self.succeeded,
            failed=self.failed,
            skipped=self.skipped,
            **self.tokens,
            elapsed=elapsed,
            requests_per_minute=self.sent / minutes,
            tokens_per_minute=self.tokens["total_tokens"] / minutes,
        )

    def progress(self) -> BatchProgress:
        return BatchProgress(
            done=self.succeeded + self.failed,
            failed=self.failed,
            skipped=self.skipped,
            total=self.total,
            elapsed=time.monotonic() - self.started,
        )


class InOrder:
    """Finished items in input order, passing over the indices the job skipped."""

    def __init__(self, receive: MemoryObjectReceiveStream[Finished], skipped: set[int]) -> None:
        self._receive = receive
        self._skipped = skipped
        self._pending: dict[int, Finished] = {}
        self._next_index = 0

    async def receive(self) -> Finished:
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
