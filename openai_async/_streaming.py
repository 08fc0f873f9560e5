"""``AsyncStream``: the typed chunks of a server-sent event answer, until ``[DONE]``."""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from types import TracebackType
from typing import Any, Final, Generic, TypeVar

import anyio
import attrs
import httpx

from ._bodies import coding_layers
from ._decode import loads
from ._exceptions import (
    APIConnectionError,
    StreamDecodeError,
    StreamEventError,
    StreamTooLargeError,
    StreamTruncatedError,
    caused_by,
    excerpt,
)
from ._middleware import options_of
from ._models import STRUCTURE_ERRORS
from ._sse import EventTooLarge, ServerSentEvent, SSEDecoder

__all__ = ["BODY_END", "DONE", "AsyncStream", "StreamEnd", "finish_chunks"]

T = TypeVar("T")

# After [DONE], the body's last bytes (the chunked terminator) usually come with it or a
# moment later. Waiting this long for them lets the connection go back to the pool; a
# longer wait would cost the caller more than the new connection it saves.
DRAIN_TIMEOUT: Final = 0.1
# Bytes after [DONE] we are willing to read and throw away before closing instead.
DRAIN_LIMIT: Final = 64 * 1024


@attrs.frozen
class StreamEnd:
    """How an endpoint's event stream ends: the end rule belongs to the endpoint.

    ``marker``: an event whose data is this text ends the stream and is not a chunk
    (``[DONE]`` for chat and completions). ``terminal``: event types (the ``event:``
    field or the data's ``"type"``) that are the last chunk, as ``/responses`` ends on
    ``response.completed``. ``required``: a body that ends before either raises
    ``StreamTruncatedError``; otherwise the end of the body ends the stream quietly.
    """

    marker: str | None = "[DONE]"
    terminal: frozenset[str] = frozenset()
    required: bool = True

    def describe(self) -> str:
        ends = [f"data: {self.marker}"] if self.marker is not None else []
        ends += sorted(self.terminal)
        return " or ".join(ends) or "its end"


DONE: Final = StreamEnd()
BODY_END: Final = StreamEnd(required=False)


class AsyncStream(Generic[T]):
    """An async iterator of typed chunks, read from a server-sent event stream.

    Use it as an async context manager, which releases the connection however the
    block ends (break, exception, cancellation)::

        async with await client.chat.completions.create(..., stream=True) as stream:
            async for chunk in stream:
                ...

    Iteration stops at ``data: [DONE]``. Instead of ending quietly it raises
    ``StreamTruncatedError`` when the body ends without ``[DONE]``, ``StreamEventError``
    when an event carries an ``error`` object, ``StreamDecodeError`` when an event is
    not JSON or does not fit the chunk type, ``StreamTooLargeError`` when one line or
    event is longer than ``max_event_size``, and ``APIConnectionError`` /
    ``APITimeoutError`` when the connection breaks or stalls, or when the call's time
    runs out (the retry policy's ``deadline``, or the client's ``stream_timeout``,
    counted from the headers; neither is set by default). Once iteration has ended,
    or after ``aclose()``, the connection is back in the pool or closed. Iterating a
    stream closed before its end raises ``StreamTruncatedError`` instead of ending as
    if the answer were whole.

    ``max_event_size`` (characters) caps one line and one event's data; None takes the
    client's setting, carried by the request (16 MiB unless the client was given another).
    """

    def __init__(
        self,
        response: httpx.Response,
        decode: Callable[[Any], T],
        *,
        require_done: bool = True,
        end: StreamEnd | None = None,
        max_event_size: int | None = None,
    ) -> None:
        self.response = response
        self._decode = decode
        if end is None:
            end = DONE if require_done else BODY_END
        self._end = end
        self._ended = False  # the terminal event was the last chunk
        self._complete = False  # the stream reached its end by the endpoint's rule
        if max_event_size is None:
            max_event_size = options_of(response.request).max_event_size
        self._decoder = SSEDecoder(max_event_size=max_event_size)
        self._events: deque[ServerSentEvent] = deque()
        self._chunks: AsyncIterator[bytes] | None = None
        self._closed = False
        self._error: Exception | None = None  # what ended the stream, raised again

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<AsyncStream {state} {self.response.request.method} {self.response.url}>"

    @property
    def request_id(self) -> str | None:
        """The ``x-request-id`` header of the answer, for support requests."""
        request_id: str | None = self.response.headers.get("x-request-id")
        return request_id

    def __aiter__(self) -> AsyncStream[T]:
        return self

    async def __anext__(self) -> T:
        if self._closed:
            if self._error is not None:
                # Iterating again after an error must not look like a complete answer.
                raise self._error
            raise StopAsyncIteration
        try:
            while True:
                if self._ended:
                    self._complete = True
                    await self._drain_and_close()
                    raise StopAsyncIteration
                if self._events:
                    event = self._events.popleft()
                    if event.data == self._end.marker:
                        self._complete = True
                        await self._drain_and_close()
                        raise StopAsyncIteration
                    return self._chunk(event)
                if not await self._read():
                    self._complete = not self._end.required
                    await self._close()
                    if self._end.required:
                        raise self._truncated()
                    raise StopAsyncIteration
        except BaseException as exc:
            # An error of ours, a broken connection or a cancellation: release it now.
            # Iterating again must not end quietly, as if the answer were whole.
            self._error = exc if isinstance(exc, Exception) else self._cut_short()
            await self._close()
            raise

    async def _read(self) -> bool:
        """Decode the next piece of the body into events; False at the end of it."""
        if self._chunks is None:
            # Without a content-coding httpx's decoding step passes each chunk through:
            # the raw bytes skip one generator and two calls per chunk. A body read
            # already (made from bytes) is httpx's to replay.
            response = self.response
            plain = not response.is_stream_consumed and not coding_layers(response)
            self._chunks = response.aiter_raw() if plain else response.aiter_bytes()
        try:
            async for raw in self._chunks:
                events = self._decoder.feed(raw)
                if events:
                    self._events.extend(events)
                    return True
        except EventTooLarge as exc:
            raise StreamTooLargeError(
                f"{exc}; the stream was closed there. Raise the cap with "
                "max_event_size= if the server's events are that large",
                response=self.response,
                setting="max_event_size",
                limit=exc.limit,
            ) from None
        except httpx.DecodingError as exc:
            # The body's content-encoding did not decode (read errors come translated).
            raise StreamDecodeError(
                f"The stream's body could not be decoded: {exc}", response=self.response, data=""
            ) from exc
        self._decoder.close()
        return False

    def _chunk(self, event: ServerSentEvent) -> T:
        data = event.data
        try:
            body = loads(data)
        except ValueError:
            if event.event == "error":
                raise StreamEventError(
                    f"Error event in stream: {excerpt(data)}", response=self.response, body=data
                ) from None
            raise StreamDecodeError(
                f"Stream event is not valid JSON: {excerpt(data, 200)}",
                response=self.response,
                data=data,
            ) from None
        error = body.get("error") if type(body) is dict else None  # JSON objects are dicts
        if event.event == "error" or (error is not None and error != {}):
            raise self._event_error(body)
        terminal = self._end.terminal
        # A "type" that is not a str (a list, say) cannot be looked up in a set: not terminal.
        if terminal and (
            event.event in terminal or (type(body) is dict and _str_in(body.get("type"), terminal))
        ):
            self._ended = True
            self._complete = True  # the last chunk is out: closing now loses nothing
        try:
            return self._decode(body)
        except (*STRUCTURE_ERRORS, RecursionError) as exc:
            failure = exc  # raised out of the except block: see caused_by
        error = StreamDecodeError(
            f"Stream event does not fit the chunk type: {_describe(failure)}",
            response=self.response,
            data=data,
        )
        raise caused_by(error, failure)

    def _event_error(self, body: object) -> StreamEventError:
        error = body.get("error") if type(body) is dict else None  # JSON objects are dicts
        message = error.get("message") if isinstance(error, Mapping) else error
        message = message or body
        text = f"Error event in stream: {excerpt(message)}"
        if self.request_id:
            text += f" (request id {excerpt(self.request_id, 100)})"
        return StreamEventError(text, response=self.response, body=body)

    def _cut_short(self) -> StreamTruncatedError:
        return StreamTruncatedError(
            f"The stream was cancelled before {self._end.describe()}; the answer is incomplete",
            response=self.response,
        )

    def _closed_early(self) -> StreamTruncatedError:
        return StreamTruncatedError(
            "The stream was closed before its end; the answer is incomplete",
            response=self.response,
        )

    def _truncated(self) -> StreamTruncatedError:
        content_type = self.response.headers.get("content-type", "")
        message = f"The stream ended without {self._end.describe()}; the answer is incomplete"
        if not content_type.startswith("text/event-stream"):
            message += f" (the server answered {content_type!r}, not an event stream)"
        return StreamTruncatedError(message, response=self.response)

    async def _drain_and_close(self) -> None:
        # Reading the rest of the body (normally only the chunked terminator) is what
        # lets httpcore put the connection back in the pool; closing an unfinished
        # response closes its connection. Errors here cannot change the answer.
        with anyio.move_on_after(DRAIN_TIMEOUT):
            received = 0
            try:
                assert self._chunks is not None
                async for raw in self._chunks:
                    received += len(raw)
                    if received > DRAIN_LIMIT:
                        break
            except (APIConnectionError, httpx.DecodingError):
                pass
        await self._close()

    async def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._complete and self._error is None:
            # Closed early (aclose, or leaving ``async with``): iterating again, or
            # accumulating what was read, must not pass for the whole answer.
            self._error = self._closed_early()
        # Closing must finish even inside a cancelled scope, or the connection leaks.
        with anyio.CancelScope(shield=True):
            with contextlib.suppress(Exception):  # the connection is being thrown away
                await self.response.aclose()
            if self._chunks is not None:
                await finish_chunks(self._chunks)

    async def aclose(self) -> None:
        """Stop reading and release the connection; safe to call more than once."""
        await self._close()

    close = aclose  # the official SDK's name

    async def __aenter__(self) -> AsyncStream[T]:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._close()


async def finish_chunks(chunks: AsyncIterator[bytes]) -> None:
    """Run httpx's nested byte generators to their end once the response is closed.

    ``aclose()`` on the outer generator would abandon the inner ones half-way, which
    trio reports as garbage-collected async generators. With the response closed the
    next read ends or fails at once; the bound is for transports that differ.
    """
    with anyio.move_on_after(1.0):
        with contextlib.suppress(Exception):  # any way of ending will do
            async for _ in chunks:
                pass


def _str_in(value: object, names: frozenset[str]) -> bool:
    return isinstance(value, str) and value in names


def _describe(exc: BaseException) -> str:
    try:
        return excerpt(repr(exc))
    except RecursionError:  # an error quoting a deeply nested value
        return type(exc).__name__
