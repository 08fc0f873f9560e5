"""``responses.stream()``: a streamed response for ``async with``, and the whole at the end.

The official SDK's helper around ``responses.create(stream=True)``: entering the block
sends the request; ``async for event in stream`` gives the stream's events as they
come; ``await stream.get_final_response()`` reads to the end and gives the response
the last event carries, parsed as ``responses.parse`` parses. The events come from an
``AsyncStream``, whose errors (a cut-off stream, an ``error`` event) pass through.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ..types import (
    ParsedResponse,
    Response,
    ResponseCompletedEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseStreamEvent,
)

if TYPE_CHECKING:
    from .._streaming import AsyncStream
    from ._response_parse import ParsedReader

__all__ = ["ResponseStream", "ResponseStreamManager"]

T = TypeVar("T")

_LAST = (ResponseCompletedEvent, ResponseFailedEvent, ResponseIncompleteEvent)


class ResponseStream(Generic[T]):
    """The events of one streamed response; see the module's docstring."""

    def __init__(self, events: AsyncStream[ResponseStreamEvent], reader: ParsedReader) -> None:
        self._events = events
        self._reader = reader
        self._last: Response | None = None  # what the terminal event carried

    def __repr__(self) -> str:
        return f"<ResponseStream of {self._events!r}>"

    @property
    def response(self) -> httpx.Response:
        """The HTTP response the events are read from."""
        return self._events.response

    def __aiter__(self) -> ResponseStream[T]:
        return self

    async def __anext__(self) -> ResponseStreamEvent:
        event = await self._events.__anext__()
        if isinstance(event, _LAST):
            self._last = event.response
        return event

    async def until_done(self) -> ResponseStream[T]:
        """Read the stream to its end, events unseen."""
        async for _ in self:
            pass
        return self

    async def get_final_response(self) -> ParsedResponse[T]:
        """The response the last event carried (completed, incomplete or failed), parsed.

        A stream closed before its end raises ``StreamTruncatedError`` here: a partial
        answer does not pass for the whole.
        """
        await self.until_done()
        assert self._last is not None  # the stream ends on one of _LAST, or raises
        final: ParsedResponse[T] = self._reader.parsed(self.response, self._last.to_dict())
        return final

    async def aclose(self) -> None:
        """Stop reading and release the connection; safe to call more than once."""
        await self._events.aclose()

    close = aclose  # the official SDK's name


class ResponseStreamManager(Generic[T]):
    """What ``responses.stream()`` returns: ``async with`` it for the stream.

    Nothing is sent until the block is entered; leaving it closes the stream,
    however the block ends.
    """

    def __init__(
        self, send: Callable[[], Awaitable[AsyncStream[ResponseStreamEvent]]], reader: ParsedReader
    ) -> None:
        self._send = send
        self._reader = reader
        self._stream: ResponseStream[T] | None = None

    def __repr__(self) -> str:
        return f"<ResponseStreamManager {'entered' if self._stream else 'not entered'}>"

    async def __aenter__(self) -> ResponseStream[T]:
        self._stream = ResponseStream(await self._send(), self._reader)
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.aclose()
