"""Transports measured as candidates for the default (issue 13), benchmark-only.

Each is an ``httpx.AsyncBaseTransport`` given to ``openai_async.AsyncClient(transport=)``
so that everything above the transport is the same code:

- ``httpcore``: httpx's own transport, httpcore 1.x's pool, the client's limits
  (1,000 connections, 200 kept alive): the default before issue 13;
- ``httpcore-keepall``: the same, keeping every connection alive (``max_keepalive =
  max_connections``), so that the pool never closes and reopens connections under load;
- ``shard8``: eight such pools, requests dealt round robin, so each pool scans an
  eighth of the connections;
- ``httpcore2``: the pool of httpcore2 (pydantic's fork, the official SDK's transport,
  with the linear assignment pass) behind a small adapter;
- ``httpx-aiohttp``: httpx-aiohttp's transport, as ``aiohttp_transport()`` was before;
- ``shards``: ``_transport.Shards``, trio's default before the HTTP/1.1 pool of
  ``_http11`` (issue 14: httpcore reuses a connection whose answer overran its end);
- ``http11``: that HTTP/1.1 pool, trio's default, measured on asyncio too;
- ``asyncio``: ``_asyncio_http.AsyncioTransport``, an HTTP/1.1 pool owned here on a bare
  asyncio Protocol (no aiohttp, no anyio streams, no h11): asyncio's default since;
- ``aiohttp``: ``aiohttp_transport()``, aiohttp's pool, asyncio's default before it (given
  as ``transport=``, its bodies go through the client's error-translating wrapper, which
  the default pool's do not).

The aiohttp transport that became the default needs nothing here: it is
``openai_async``'s own.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from typing import Any

import httpx

LIMIT = 1000


def httpcore_transport(keep_all: bool = False) -> httpx.AsyncBaseTransport:
    keepalive = LIMIT if keep_all else 200
    limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=keepalive)
    return httpx.AsyncHTTPTransport(limits=limits)


class Sharded(httpx.AsyncBaseTransport):
    """Several independent httpcore pools, requests dealt round robin."""

    def __init__(self, shards: int = 8) -> None:
        per = LIMIT // shards
        limits = httpx.Limits(max_connections=per, max_keepalive_connections=per)
        self._pools = [httpx.AsyncHTTPTransport(limits=limits) for _ in range(shards)]
        self._next = itertools.cycle(self._pools)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await next(self._next).handle_async_request(request)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


class HTTPCore2(httpx.AsyncBaseTransport):
    """httpcore2's pool behind httpx's transport interface (no error mapping: a benchmark)."""

    def __init__(self) -> None:
        import httpcore2

        self._httpcore2 = httpcore2
        self._pool = httpcore2.AsyncConnectionPool(
            max_connections=LIMIT, max_keepalive_connections=LIMIT, keepalive_expiry=30.0
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        req = self._httpcore2.Request(
            method=request.method,
            url=self._httpcore2.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,  # type: ignore[arg-type]
            extensions=request.extensions,
        )
        response = await self._pool.handle_async_request(req)
        return httpx.Response(
            response.status,
            headers=response.headers,
            stream=_Stream(response.stream),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _Stream(httpx.AsyncByteStream):
    def __init__(self, stream: Any) -> None:
        self._stream = stream

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        await self._stream.aclose()


def httpx_aiohttp_transport() -> httpx.AsyncBaseTransport:
    from httpx_aiohttp import AiohttpTransport

    limits = httpx.Limits(max_connections=LIMIT, max_keepalive_connections=LIMIT)
    return AiohttpTransport(limits=limits)


def shards_transport() -> httpx.AsyncBaseTransport:
    from openai_async import DEFAULT_LIMITS
    from openai_async._transport import Shards

    return Shards(DEFAULT_LIMITS)


def http11_transport() -> httpx.AsyncBaseTransport:
    from openai_async import DEFAULT_LIMITS
    from openai_async._http11 import HTTP11Transport

    return HTTP11Transport(DEFAULT_LIMITS)


def asyncio_transport() -> httpx.AsyncBaseTransport:
    from openai_async import DEFAULT_LIMITS
    from openai_async._asyncio_http import AsyncioTransport

    return AsyncioTransport(DEFAULT_LIMITS)


def aiohttp_transport() -> httpx.AsyncBaseTransport:
    from openai_async import DEFAULT_LIMITS, aiohttp_transport

    return aiohttp_transport(limits=DEFAULT_LIMITS)


CANDIDATES = {
    "httpcore": httpcore_transport,
    "httpcore-keepall": lambda: httpcore_transport(keep_all=True),
    "shard8": Sharded,
    "httpcore2": HTTPCore2,
    "httpx-aiohttp": httpx_aiohttp_transport,
    "shards": shards_transport,
    "http11": http11_transport,
    "asyncio": asyncio_transport,
    "aiohttp": aiohttp_transport,
}
