"""Test transports: real HTTP underneath, with one behaviour changed."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio.lowlevel
import httpx


class CloseAwaitsFirst(httpx.AsyncBaseTransport):
    """A transport whose responses await something (a log flush, say) before closing.

    httpcore and aiohttp release a half-read connection before their close's first
    await, so they need no shielded close; a transport given to the client may not.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        stream = _AwaitBeforeClose(response.stream)
        return httpx.Response(response.status_code, headers=response.headers, stream=stream)

    async def aclose(self) -> None:
        await self.inner.aclose()


class _AwaitBeforeClose(httpx.AsyncByteStream):
    def __init__(self, inner: httpx.AsyncByteStream) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        await anyio.lowlevel.checkpoint()  # where a cancellation of the close would land
        await self._inner.aclose()
