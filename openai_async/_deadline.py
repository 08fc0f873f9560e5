"""Whole-call time: a streamed body is read by the time its call must end.

A non-streamed body is read inside its attempt, so ``RetryPolicy.deadline`` bounds
it with the attempt. A streamed body (``stream=True``, ``with_streaming_response``,
``files.download``) is read by the caller after the call has returned, one read at a
time, and httpx's read timeout bounds each read alone: a server that sends a byte
every few seconds would hold the call for ever. ``limit_body`` gives such a body the
moment by which it must have been read whole; past it, the next read, or the one
waiting, raises ``APITimeoutError`` saying which limit passed.

Each read is bounded on its own, with a cancel scope entered and left inside one
``__anext__`` call, never across a ``yield`` the caller controls: a scope that spans
an async generator's ``yield`` would cancel, or fail to cancel, whatever the caller
runs meanwhile. That is why the body is an iterator class here, not a generator.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import anyio
import httpx

from ._exceptions import APITimeoutError

__all__ = ["TimeLimitedBody", "limit_body"]


def limit_body(response: httpx.Response, *, at: float, limit: str) -> None:
    """Make ``response``'s unread body raise ``APITimeoutError`` once ``at`` has passed.

    ``at`` is on anyio's clock (``anyio.current_time()``); ``limit`` names the
    setting that passed, for the error's message (``"stream_timeout (60 s ...)"``).
    """
    response.stream = TimeLimitedBody(response.stream, at=at, request=response.request, limit=limit)


class TimeLimitedBody(httpx.AsyncByteStream):
    """A response body whose reads fail once the moment ``at`` has passed."""

    __slots__ = ("_at", "_closed", "_limit", "_request", "_stream")

    def __init__(self, stream: object, *, at: float, request: httpx.Request, limit: str) -> None:
        assert isinstance(stream, httpx.AsyncByteStream)
        self._stream = stream
        self._at = at
        self._request = request
        self._limit = limit
        self._closed = False

    def __repr__(self) -> str:
        return f"<TimeLimitedBody {self._limit}>"

    def __aiter__(self) -> AsyncIterator[bytes]:
        return _Reads(self, self._stream.__aiter__())

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            await self._stream.aclose()

    def error(self) -> APITimeoutError:
        return APITimeoutError(
            f"Request timed out: {self._limit} passed before the streamed body was read "
            "to its end.",
            request=self._request,
        )


class _Reads:
    """One pass over a ``TimeLimitedBody``: each read gets the time left, no more."""

    __slots__ = ("_body", "_chunks")

    def __init__(self, body: TimeLimitedBody, chunks: AsyncIterator[bytes]) -> None:
        self._body = body
        self._chunks = chunks

    def __aiter__(self) -> _Reads:
        return self

    async def __anext__(self) -> bytes:
        body = self._body
        if anyio.current_time() >= body._at:
            # Checked before reading as well: a read served from a buffer never waits,
            # so it would never see the scope below cancel it, and a server sending
            # fast enough could keep a body going past its time.
            await self._expire()
        with anyio.CancelScope(deadline=body._at):
            return await self._chunks.__anext__()
        # Only reached when the scope cancelled the read. The cancellation ran through
        # the transport's generators, which are finished (httpcore closes its
        # connection then; aiohttp's is closed at release, being unfinished).
        raise body.error()

    async def _expire(self) -> None:
        # The transport's generators are suspended mid-body: close the body, then run
        # them to their end, so that none is left for the garbage collector (trio
        # warns about those) and the connection leaves the pool.
        from ._streaming import finish_chunks

        with anyio.CancelScope(shield=True):
            with contextlib.suppress(Exception):  # the connection is being thrown away
                await self._body.aclose()
            await finish_chunks(self._chunks)
        raise self._body.error()
