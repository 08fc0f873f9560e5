"""``responses.stream()``: a streamed response for ``async with``, and the whole at the end.

The official SDK's helper around ``responses.create(stream=True)``: entering the block
sends the request; ``async for event in stream`` gives the stream's events as they
come; ``await stream.get_final_response()`` reads to the end and gives the completed
response, parsed as ``responses.parse`` parses. The events come from an
``AsyncStream``, whose errors (a cut-off stream, an ``error`` event) pass through.

As the SDK's, ``get_final_response()`` gives only a response that completed: a stream
that ended on ``response.failed``, ``response.incomplete`` or an unnamed ``error``
event raises ``StreamEventError`` there, carrying that event (the SDK raises a
``RuntimeError`` saying it got no ``response.completed``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from .._exceptions import StreamEventError, StreamTruncatedError, excerpt
from ..types import (
    ParsedResponse,
    ResponseCompletedEvent,
    ResponseErrorEvent,
    ResponseFailedEvent,
    ResponseIncompleteEvent,
    ResponseStreamEvent,
)
from ._stream_manager import StreamManager

if TYPE_CHECKING:
    from .._streaming import AsyncStream
    from ._response_parse import ParsedReader

__all__ = ["ResponseStream", "ResponseStreamManager"]

T = TypeVar("T")

_Last = ResponseCompletedEvent | ResponseFailedEvent | ResponseIncompleteEvent | ResponseErrorEvent
_LAST = (ResponseCompletedEvent, ResponseFailedEvent, ResponseIncompleteEvent, ResponseErrorEvent)


class ResponseStream(Generic[T]):
    """The events of one streamed response; see the module's docstring."""

    def __init__(self, events: AsyncStream[ResponseStreamEvent], reader: ParsedReader) -> None:
        self._events = events
        self._reader = reader
        self._last: _Last | None = None  # the terminal event

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
            self._last = event
        return event

    async def until_done(self) -> ResponseStream[T]:
        """Read the stream to its end, events unseen."""
        async for _ in self:
            pass
        return self

    async def get_final_response(self) -> ParsedResponse[T]:
        """The completed response, read to the end first, parsed as ``parse`` parses.

        A stream closed before its end raises ``StreamTruncatedError`` here: a partial
        answer does not pass for the whole. One that ended on anything but
        ``response.completed`` raises ``StreamEventError`` (see the module's docstring).
        """
        await self.until_done()
        last = self._last
        if not isinstance(last, ResponseCompletedEvent):
            raise self._not_completed(last)
        final: ParsedResponse[T] = self._reader.parsed(self.response, last.response.to_dict())
        return final

    def _not_completed(self, last: _Last | None) -> StreamEventError | StreamTruncatedError:
        """The error for a stream whose last event was not ``response.completed``.

        ``body`` is that event as the server sent it; ``code`` and ``param`` are its
        error's (a failed response's ``error``, or an ``error`` event's own fields).
        """
        if last is None:  # not reached: the stream ends on one of _LAST, or raises
            return StreamTruncatedError(
                "The stream ended without response.completed", response=self.response
            )
        code: str | None = None
        param: str | None = None
        if isinstance(last, ResponseErrorEvent):
            code, param = last.code, last.param
            text = f"Error event in stream: {excerpt(last.message or last.to_dict())}"
        elif isinstance(last, ResponseFailedEvent):
            failure = last.response.error
            code = failure.code if failure is not None else None
            message = failure.message if failure is not None else "no error given"
            text = f"The response failed: {excerpt(message)}"
        else:
            details = last.response.incomplete_details
            reason = details.reason if details is not None else None
            text = (
                f"The response is incomplete ({excerpt(reason)}): get_final_response() gives "
                "only a completed one, as the SDK's; the response.incomplete event has it"
            )
        if code is not None:
            text += f" (code {excerpt(code, 100)})"
        request_id = self._events.request_id
        if request_id:
            text += f" (request id {excerpt(request_id, 100)})"
        error = StreamEventError(text, response=self.response, body=last.to_dict())
        error.code, error.param = code, param
        return error

    async def aclose(self) -> None:
        """Stop reading and release the connection; safe to call more than once."""
        await self._events.aclose()

    close = aclose  # the official SDK's name


class ResponseStreamManager(StreamManager[ResponseStream[T]]):
    """What ``responses.stream()`` returns: ``async with`` it for the stream."""

    def __init__(
        self, send: Callable[[], Awaitable[AsyncStream[ResponseStreamEvent]]], reader: ParsedReader
    ) -> None:
        async def open_stream() -> ResponseStream[T]:
            return ResponseStream(await send(), reader)

        super().__init__(open_stream)
