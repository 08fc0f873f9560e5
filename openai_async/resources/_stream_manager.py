"""``async with`` for the ``stream()`` helpers: nothing sent before the block, closed after."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Generic, Protocol, TypeVar

__all__ = ["StreamManager"]


class _Closable(Protocol):
    async def aclose(self) -> None: ...


S = TypeVar("S", bound=_Closable)


class StreamManager(Generic[S]):
    """What a ``stream()`` helper returns: ``async with`` it for the stream.

    Nothing is sent until the block is entered (``open_stream`` sends); leaving it
    closes the stream, however the block ends.
    """

    def __init__(self, open_stream: Callable[[], Awaitable[S]]) -> None:
        self._open = open_stream
        self._stream: S | None = None

    def __repr__(self) -> str:
        state = "not entered" if self._stream is None else "entered"
        return f"<{type(self).__name__} {state}>"

    async def __aenter__(self) -> S:
        self._stream = await self._open()
        return self._stream

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._stream is not None:
            await self._stream.aclose()
